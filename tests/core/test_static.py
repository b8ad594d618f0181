from django.contrib.staticfiles import finders


def test_echarts_is_served_from_the_npm_install():
    # `make test` runs `npm ci`; the chart library comes from node_modules, never a CDN.
    assert finders.find("vendor/echarts/echarts.min.js").endswith("node_modules/echarts/dist/echarts.min.js")


def test_only_whitelisted_vendor_files_are_exposed():
    assert finders.find("vendor/echarts/echarts.js.map") is None
    vendor = [
        path for finder in finders.get_finders() for path, _ in finder.list([]) if path.startswith("vendor/")
    ]
    assert vendor == ["vendor/echarts/echarts.min.js"]


def test_htmx_comes_from_django_htmx():
    assert finders.find("django_htmx/htmx-2.min.js")
