"""Typed failures. Each carries a stable ``code`` (it goes into ``errors[].code``) and a
message that ends with what to try next; the CLI prints them as one line."""

from __future__ import annotations


class JixiaoError(Exception):
    """Base of every failure jixiao reports for one file."""

    code = "error"


class UnsupportedFormat(JixiaoError):
    """The file suffix has no reader."""

    code = "unsupported_format"


class UnreadableDocument(JixiaoError):
    """The file is damaged, empty, encrypted or not what its suffix says."""

    code = "unreadable_document"


class MissingSystemTool(JixiaoError):
    """An optional system program (LibreOffice, …) is needed for this file and is not installed."""

    code = "missing_system_tool"


class UnknownTemplate(JixiaoError):
    """The document holds none of the labels of a known report form."""

    code = "unknown_template"


class NotAReport(JixiaoError):
    """The file was read and is no report at all (a stray note, a README): counted apart from failures."""

    code = "not_a_report"


class UnsupportedTemplate(JixiaoError):
    """The form was recognised but jixiao has no parser for it yet."""

    code = "unsupported_template"

    def __init__(self, message: str, template: str = "unknown") -> None:
        super().__init__(message)
        self.template = template


class NoIndicatorTable(JixiaoError):
    """The form was recognised but its indicator table (绩效指标) was not found."""

    code = "no_indicator_table"


class InvalidProfile(JixiaoError, ValueError):
    """A rule profile (TOML) has a missing or bad key."""

    code = "invalid_profile"
