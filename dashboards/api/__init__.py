"""REST API of the dashboards app (serializers and viewsets, routed by posc/api_urls.py)."""
