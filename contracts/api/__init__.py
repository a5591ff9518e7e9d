"""REST API of the contracts app (serializers and viewsets, routed by posc/api_urls.py)."""
