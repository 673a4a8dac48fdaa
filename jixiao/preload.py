"""Imported by the workers' fork server before it forks any of them (``runner._run_in_children``):
the form parsers, the rule profiles and the segmenter's dictionary are loaded once there, and every
worker forked from it starts with them instead of loading them again (about a second each)."""

from jixiao.runner import warm_up

warm_up([])  # the readers the run needs are in the server's preload list beside this module
