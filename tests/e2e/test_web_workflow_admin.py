"""The workflow edited at run time in the web page, in Debian's Chromium against the local
stack (`make run`'s): an admin changes a step's reviewer in the form and the API then serves
the new version; an invalid value shows the server's problem next to its field and saves
nothing; the TOML box imports a file as the next version; a writer gets no form.
Each test leaves a screenshot in test-results/web/.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from dev.testing import StackHandle, start_stack
from tests.e2e.test_web_admin import ADMIN, WORKFLOW, Person, signed_in

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackHandle]:
    handle = start_stack(tmp_path_factory.mktemp("workflow-admin-stack"), {
        "FREIGABE_CONFIG": str(WORKFLOW), "FREIGABE_AUTH": "dev",
        "FREIGABE_TABLE": "freigabe-web-workflow-e2e", "FREIGABE_TICK_SECONDS": "1"})
    yield handle
    handle.stop()


@pytest.fixture
def admin(stack: StackHandle, browser: Any, request: pytest.FixtureRequest) -> Iterator[Person]:
    yield from signed_in(stack, browser, request, ADMIN)


def current(person: Person) -> dict[str, Any]:
    status, body, _ = person.api("GET", "/api/admin/workflow")
    assert status == 200, body
    return body  # type: ignore[no-any-return]


def brand_reviewers(person: Person) -> list[str]:
    steps = current(person)["workflow"]["steps"]
    return next(s for s in steps if s["name"] == "brand")["reviewers"]  # type: ignore[no-any-return]


def open_form(person: Person) -> Any:
    person.open("#/admin/workflow")
    person.page.locator(".wf-form").wait_for()
    return person.page.locator(".wf-step[data-step='brand'] input[data-path$='.reviewers']")


def test_an_admin_changes_a_reviewer_in_the_form(admin: Person) -> None:
    before = current(admin)["version"]
    reviewers = open_form(admin)
    assert reviewers.input_value() == ", ".join(brand_reviewers(admin))
    reviewers.fill("U0BRAND1, U0BRAND2")
    admin.page.locator(".wf-save").click()
    admin.page.locator(f".wf-current[data-version='{before + 1}']").wait_for()
    assert brand_reviewers(admin) == ["U0BRAND1", "U0BRAND2"]
    latest = admin.page.locator(".wf-version").first
    assert latest.get_attribute("data-version") == str(before + 1)
    assert "steps.brand.reviewers" in latest.inner_text() and ADMIN in latest.inner_text()
    # A post submitted now says which version reviews it.
    status, post, _ = admin.api("POST", "/api/posts", {"text": "Hallo Welt", "channels": ["outbox"]})
    assert status == 201 and post["workflow_version"] == before + 1
    admin.open(f"#/posts/{post['id']}")
    assert f"version {before + 1}" in admin.page.locator(".workflow-version").inner_text()
    # The link from the channels' admin section leads here.
    admin.open("#/admin")
    admin.page.locator("a.wf-link").click()
    admin.page.locator(".wf-form").wait_for()


def test_an_invalid_value_shows_its_error_next_to_the_field(admin: Person) -> None:
    before = current(admin)
    reviewers = open_form(admin)
    reviewers.fill("anna")
    admin.page.locator(".wf-save").click()
    field = reviewers.locator("xpath=..")
    error = field.locator(".field-error")
    error.wait_for()
    assert "expected form" in error.inner_text()
    assert reviewers.get_attribute("aria-invalid") == "true"
    assert "not valid" in admin.page.locator(".wf-notice").inner_text()
    # Nothing else is marked, and nothing was saved.
    assert admin.page.locator(".wf-form [aria-invalid='true']").count() == 1
    assert current(admin)["version"] == before["version"]
    assert current(admin)["toml"] == before["toml"]


def test_a_toml_file_is_imported_as_the_next_version(admin: Person) -> None:
    before = current(admin)
    open_form(admin)
    box = admin.page.locator("textarea.wf-toml")
    assert box.input_value() == before["toml"]
    box.fill(before["toml"].replace('label = "Brand"', 'label = "Marke"  # renamed'))
    admin.page.locator(".wf-import").click()
    admin.page.locator(f".wf-current[data-version='{before['version'] + 1}']").wait_for()
    after = current(admin)
    assert 'label = "Marke"  # renamed' in after["toml"]
    box.fill("steps = [")
    admin.page.locator(".wf-import").click()
    admin.page.locator(".wf-notice .notice-error").wait_for()
    assert "(toml)" in admin.page.locator(".wf-notice").inner_text()
    assert current(admin)["version"] == after["version"]


def test_a_writer_gets_no_form(stack: StackHandle, browser: Any,
                               request: pytest.FixtureRequest) -> None:
    for writer in signed_in(stack, browser, request, f"w.{uuid.uuid4().hex[:8]}@freigabe.example"):
        writer.open("#/admin/workflow")
        assert writer.page.locator(".wf-form").count() == 0
        assert writer.page.locator(".notice-error").count() == 1
        status, _, _ = writer.api("GET", "/api/admin/workflow")
        assert status == 403


@pytest.fixture(scope="module")
def brands_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackHandle]:
    handle = start_stack(tmp_path_factory.mktemp("workflow-brands-stack"), {
        "FREIGABE_CONFIG": str(WORKFLOW.parent / "workflow_brands.toml"), "FREIGABE_AUTH": "dev",
        "FREIGABE_TABLE": "freigabe-web-workflow-brands-e2e", "FREIGABE_TICK_SECONDS": "1"})
    yield handle
    handle.stop()


def test_each_brand_has_its_own_form_and_its_own_errors(brands_stack: StackHandle, browser: Any,
                                                        request: pytest.FixtureRequest) -> None:
    for admin in signed_in(brands_stack, browser, request, ADMIN):
        admin.open("#/admin/workflow")
        admin.page.locator(".wf-form").wait_for()
        brands = admin.page.locator(".wf-brand")
        assert [brands.nth(i).get_attribute("data-brand") for i in range(brands.count())] == [
            "freigabe", "kaffeebar"]
        reviewers = admin.page.locator("input[data-path='brands[1].steps[0].reviewers']")
        reviewers.fill("nobody")
        admin.page.locator(".wf-save").click()
        error = reviewers.locator("xpath=..").locator(".field-error")
        error.wait_for()
        assert admin.page.locator(".wf-form [aria-invalid='true']").count() == 1
        assert current(admin)["version"] == 1
