import pytest

from tests.services import factories as sf


@pytest.fixture
def category(db):
    return sf.category(
        code="repair",
        name="房屋报修",
        questions=[
            {
                "code": "location",
                "label": "损坏部位",
                "type": "singlevaluelist",
                "required": True,
                "values": [{"key": "stair", "name": "楼道"}, {"key": "roof", "name": "屋顶"}],
            }
        ],
    )


@pytest.fixture
def building_a(community_a):
    from tests import factories as f

    return f.BuildingFactory(zone=f.ZoneFactory(community=community_a), name="3号楼")


@pytest.fixture
def nomail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages are asserted in English (their msgids); test_chinese_pages checks the zh_Hans catalogue."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
