from django.apps import AppConfig


class TalentConfig(AppConfig):
    name = "talent"
