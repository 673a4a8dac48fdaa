"""Rule profiles are data: loaded, checked, and bad keys named."""

from __future__ import annotations

from pathlib import Path

import pytest

from jixiao.errors import InvalidProfile
from validate.profile import Profile, available_profiles, load_profile, profile_from_dict


def test_builtin_profile_loads() -> None:
    profile = load_profile("suzhou-2017")
    assert {"chongqing-department", "generic", "national-2020", "national-hubei-2020", "national-sichuan-2023",
            "report", "sichuan-2023", "suzhou-2017"} <= set(available_profiles())
    assert profile.classes["产出"].full_to == 130.0
    assert profile.classes["结果"].full_to is None
    assert profile.grades["较好"] == 0.8
    assert profile.special_for("各级财政应承担资金到位率") is not None


def _data() -> dict:
    import tomllib

    return tomllib.loads((Path(load_profile("suzhou-2017").source)).read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d["classes"]["产出"].update(weights="evenly"), "classes.产出: weights must be one of"),
        (lambda d: d["classes"]["产出"].update(full_top=130), "unknown key classes.产出.full_top"),
        (lambda d: d["tolerance"].update(score="0.05"), "tolerance.score must be a number"),
        (lambda d: d["assumptions"].update(echo_grade="优"), "grade '优' is not in [grades]"),
        (lambda d: d["assumptions"].update(reverse_formula="log"), "reverse_formula must be one or more of"),
        (lambda d: d.update(colour="red"), "unknown key colour"),
        (lambda d: d.pop("name"), "key name is required"),
    ],
)
def test_bad_profile_names_the_key(change, message: str) -> None:
    data = _data()
    change(data)
    with pytest.raises(InvalidProfile, match=message.replace("[", r"\[").replace("]", r"\]")):
        profile_from_dict(data, source="my.toml")


def test_resolve_accepts_name_path_dict_and_instance(tmp_path: Path) -> None:
    profile = load_profile("suzhou-2017")
    copy = tmp_path / "mine.toml"
    copy.write_text(Path(profile.source).read_text(encoding="utf-8").replace("score = 0.05", "score = 0.1"),
                    encoding="utf-8")
    assert Profile.resolve(None, "suzhou-2017").name == "suzhou-2017"
    assert Profile.resolve(str(copy)).score_tolerance == 0.1
    assert Profile.resolve(profile) is profile
    assert Profile.resolve(_data()).name == "suzhou-2017"
    with pytest.raises(InvalidProfile, match="not found"):
        Profile.resolve("no-such-profile")
