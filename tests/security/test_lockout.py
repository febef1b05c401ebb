"""Issue 16, items 4 and 5: the login lock-out cannot be turned against users, and rate limits cannot be skipped.

The attacks first: 5 wrong passwords from one address locked a user out everywhere; 5 made-up usernames
locked every account at an address (behind a proxy, the whole county); 4 guesses + a login to one's own
account reset the counter; 5 junk posts with a victim's phone blocked the victim; a request without the proxy
header skipped the IP limit.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.checks import run_checks
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db
User = get_user_model()
P = "Lock0ut!pass"


@pytest.fixture
def login(client, settings):
    settings.AXES_ENABLED = True
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_REAL_IP"
    url = reverse("admin:login")

    def attempt(username, password, ip):
        return client.post(
            url, {"username": username, "password": password}, HTTP_X_REAL_IP=ip, REMOTE_ADDR="172.18.0.5"
        )

    return attempt


def _ok(response):
    return response.status_code == 302


def test_failures_from_one_address_do_not_lock_the_account_elsewhere(login, client):
    User.objects.create_user("victim", password=P, is_staff=True)
    for _ in range(5):
        login("victim", "wrong", "203.0.113.7")
    assert login("victim", P, "203.0.113.7").status_code == 429  # the attacker's address is locked
    client.logout()
    assert _ok(login("victim", P, "198.51.100.1"))  # the owner, elsewhere, is not


def test_made_up_usernames_do_not_lock_an_address(login, client):
    User.objects.create_user("colleague", password=P, is_staff=True)
    for n in range(8):
        login(f"nobody{n}", "wrong", "10.0.0.1")  # the office's one public address
    assert _ok(login("colleague", P, "10.0.0.1"))


def test_a_login_to_ones_own_account_does_not_reset_the_guesses_at_another(login, client):
    User.objects.create_user("victim", password=P, is_staff=True)
    User.objects.create_user("attacker", password=P, is_staff=True)
    guesses = 0
    for _round in range(3):
        for _ in range(4):
            if login("victim", "wrong", "203.0.113.7").status_code == 429:
                break
            guesses += 1
        assert _ok(login("attacker", P, "203.0.113.7"))
        client.logout()
    assert guesses <= 5  # was 12 guesses without a lock
    assert login("victim", P, "203.0.113.7").status_code == 429


def test_many_addresses_meet_the_slower_per_account_throttle(login, client, settings):
    from axes.models import AccessAttempt

    User.objects.create_user("victim", password=P, is_staff=True)
    for n in range(settings.LOGIN_THROTTLE_AFTER):
        login("victim", "wrong", f"203.0.113.{n}")
    # the right password from a fresh address is refused while the account is throttled
    refused = login("victim", P, "198.51.100.9")
    assert refused.status_code in (200, 429) and "_auth_user_id" not in client.session
    # a minute after the last try, one try goes through
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - dt.timedelta(seconds=settings.LOGIN_THROTTLE_SECONDS + 1)
    )
    assert _ok(login("victim", P, "198.51.100.10"))


def test_the_lock_out_reads_the_trusted_proxy_header(login, client):
    from axes.models import AccessAttempt

    User.objects.create_user("victim", password=P, is_staff=True)
    login("victim", "wrong", "203.0.113.7")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.7"]


# --- rate limits ----------------------------------------------------------------------------------------------


def _form(community, category, phone, **extra):
    return {
        "community": community.pk,
        "category": category.pk,
        "address": "东风路18号3号楼",
        "description": "楼道的灯坏了一个星期",
        "contact_name": "王先生",
        "contact_phone": phone,
        "consent": "on",
        "website": "",
        **extra,
    }


def _category():
    from services.models import ServiceCategory

    return ServiceCategory.objects.create(code="clean", name="保洁", accept_within_hours=24, resolve_within_days=5)


def test_junk_posts_with_a_victims_phone_do_not_block_the_victim(client, community_a, settings):
    from services.models import ServiceRequest

    settings.SERVICES_SUBMIT_RATE_IP = "1000/h"
    settings.SERVICES_SUBMIT_RATE_PHONE = "5/h"
    category = _category()
    url = reverse("services:submit")
    for n in range(6):  # invalid: no description
        junk = client.post(url, _form(community_a, category, "13900007777", description=""), REMOTE_ADDR=f"10.0.1.{n}")
        assert junk.status_code == 400
    response = client.post(url, _form(community_a, category, "13900007777"), REMOTE_ADDR="10.0.2.1")
    assert response.status_code == 302, response.content.decode()[:500]
    assert ServiceRequest.objects.filter(contact_phone="13900007777").count() == 1


def test_valid_posts_still_count_against_a_phone(client, community_a, settings):
    from services.models import ServiceRequest

    settings.SERVICES_SUBMIT_RATE_IP = "1000/h"
    settings.SERVICES_SUBMIT_RATE_PHONE = "2/h"
    category = _category()
    valid = _form(community_a, category, "13900008888")
    codes = [client.post(reverse("services:submit"), valid, REMOTE_ADDR=f"10.0.3.{n}").status_code for n in range(3)]
    assert codes == [302, 302, 429]
    assert ServiceRequest.objects.filter(contact_phone="13900008888").count() == 2


def test_a_missing_proxy_header_is_no_free_pass(client, settings):
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_REAL_IP"
    settings.SERVICES_TRACK_RATE_IP = "1000/h"
    response = client.post(reverse("services:track"), {"code": "ABCD-EFGH-JKMN", "last4": "1234"})
    assert response.status_code == 429


def test_a_misspelt_proxy_header_is_refused_at_start_up(settings):
    settings.RATELIMIT_IP_META_KEY = "X-Real-IP"
    errors = [e for e in run_checks() if e.id == "platform.E031"]
    assert errors and "X-Real-IP" in errors[0].msg
    settings.RATELIMIT_IP_META_KEY = "utilities.clientip.client_ip"  # a function: neither limit would call it
    assert [e for e in run_checks() if e.id == "platform.E031"]
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_REAL_IP"
    assert not [e for e in run_checks() if e.id == "platform.E031"]
