"""Seed the synonym table with the terms the two lead chains use most (editable afterwards in the admin)."""

from django.db import migrations

SYNONYMS = [
    ("纯化", "提纯,精制,纯化精制"),
    ("增材制造", "3D打印,三维打印"),
    ("合同研发生产", "CDMO,CMO,委托生产"),
    ("合同研究", "CRO,委托研究"),
    ("临床试验", "临床研究,临床实验"),
    ("抗体偶联药物", "ADC"),
    ("脂质纳米颗粒", "LNP"),
    ("原料药", "API"),
    ("体外诊断", "IVD"),
    ("冷链", "冷链物流,低温配送"),
    ("等级保护", "等保,等保2.0"),
    ("制造执行系统", "MES"),
    ("企业资源计划", "ERP"),
    ("机器人流程自动化", "RPA"),
    ("人工智能", "AI"),
    ("大模型", "大语言模型,LLM"),
    ("算力", "GPU算力,智算"),
    ("数字人", "虚拟人,虚拟主播"),
    ("云计算", "上云,云服务"),
]


def seed(apps, schema_editor):
    Synonym = apps.get_model("matching", "Synonym")
    for term, variants in SYNONYMS:
        Synonym.objects.get_or_create(term=term, defaults={"variants": variants})


def unseed(apps, schema_editor):
    apps.get_model("matching", "Synonym").objects.filter(term__in=[t for t, _ in SYNONYMS]).delete()


class Migration(migrations.Migration):
    dependencies = [("matching", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
