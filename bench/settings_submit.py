"""Settings of the petitions benchmark's server (bench/bench_petitions.py, receipt_lookups): the
project's settings, with a URLconf that adds one empty view, the floor, beside the project's URLs
(bench/urls_submit.py). Nothing else changes: same middleware, same database settings, DEBUG as the environment says (off)."""

from jijian.config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls_submit"
