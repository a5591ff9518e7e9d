"""REST API of the organizations app (serializers and viewsets, routed by posc/api_urls.py)."""
