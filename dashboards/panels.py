"""What the dashboards app adds to the organizations app's pages (registered in ``DashboardsConfig.ready()``): an
organization's funding mix and a purchaser's spend summary, drawn by the ``indicators`` template tags the
templates load when ``has_indicator_tags`` is set."""


def indicator_panels(request, obj):
    return {"has_indicator_tags": True}
