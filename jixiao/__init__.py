"""jixiao (绩效): performance self-evaluation reports into clean, checked data.

The importable library; ``jixiao.cli`` is a thin layer over ``jixiao.pipeline``.
Kept import-free so that readers and rules can use ``jixiao.model`` without loading the pipeline.
"""

__version__ = "0.1.0"
