from django.apps import AppConfig


class ServiceRequestsConfig(AppConfig):
    name = "service_requests"
    verbose_name = "服务链"
