"""Brands (CONTRACT §10): the workflow file's [[brands]], who writes for which brand, and the
use cases reading a post's own brand's workflow. A file without brands stays one brand."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from chalicelib.config import WorkflowError, load_config, parse_config
from chalicelib.domain.errors import Forbidden, InvalidContent, NotEligible
from chalicelib.domain.post import Reviewer
from chalicelib.domain.serialize import post_from_document, post_to_document
from chalicelib.domain.status import Status
from chalicelib.http.support import cognito_groups
from chalicelib.services import review, writing
from chalicelib.services.ports import Context, Identity
from tests.fakes import Clock, MemoryPostRepository
from tests.unit.helpers import NOW, WORKFLOW_FILE, new_post, workflow_file

BRANDS_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "workflow_brands.toml"
WANDA = Identity("wanda.writer@freigabe.example", "Wanda")  # both brands
KIM = Identity("kim@kaffeebar.example", "Kim")  # kaffeebar
GROUPED = Identity("gus@elsewhere.example", "Gus", groups=("kaffeebar-writers",))


def brands_data() -> dict[str, Any]:
    return load_config(BRANDS_FILE).source.model_dump(exclude_none=True)


def problems(data: dict[str, Any]) -> str:
    with pytest.raises(WorkflowError) as caught:
        parse_config(data)
    return str(caught.value)


def brands_context(repo: MemoryPostRepository | None = None) -> Context:
    config = load_config(BRANDS_FILE)
    ids = iter(f"p{n}" for n in range(1, 100))
    return Context(repo or MemoryPostRepository(), config.workflow, Clock(NOW), lambda: next(ids),
                   brands=config.organization)


# -- the file ---------------------------------------------------------------------------------

def test_a_file_without_brands_is_one_brand_named_default() -> None:
    config = load_config(WORKFLOW_FILE)

    assert config.organization.names == ("default",)
    assert config.organization.workflow is config.workflow
    assert config.workflow.brand == "default" and config.workflow.writers == ()
    assert config.organization.brands_for("anyone@anywhere.example") == ("default",)


def test_each_brand_takes_the_top_level_keys_it_does_not_set() -> None:
    organization = load_config(BRANDS_FILE).organization

    freigabe, kaffeebar = organization.brand("freigabe"), organization.brand("kaffeebar")
    assert organization.default == "freigabe"
    assert (freigabe.timezone, freigabe.language) == ("Europe/Berlin", "de")
    assert (kaffeebar.timezone, kaffeebar.language) == ("America/New_York", "en")
    assert kaffeebar.reason_labels == freigabe.reason_labels == ("Tonalität",)
    assert kaffeebar.admins == freigabe.admins == frozenset({"U0ADMIN"})
    assert set(kaffeebar.channels) == {"kaffee_outbox", "kaffee_hooks"}
    assert kaffeebar.brand_title == "Kaffeebar Süd"


def test_slack_routing_is_per_brand_though_step_names_repeat() -> None:
    slack = load_config(BRANDS_FILE).slack

    assert slack.for_brand("freigabe").channel_for("brand") == "C0BRAND"
    assert slack.for_brand("kaffeebar").channel_for("brand") == "C0KAFFEE"
    assert slack.channel_for("brand") == "C0BRAND"  # the default brand's


def test_every_brands_channels_are_built_once() -> None:
    assert set(load_config(BRANDS_FILE).channels) == {
        "outbox", "mastodon", "kaffee_outbox", "kaffee_hooks"}


def test_a_brand_without_steps_anywhere_names_its_table() -> None:
    data = brands_data()
    del data["brands"][1]["steps"]

    assert "brands[1]: steps: Field required" in problems(data)


def test_errors_inside_a_brand_name_the_brand_and_the_key() -> None:
    data = brands_data()
    data["brands"][1]["steps"][0]["slack_channel"] = "kaffee"
    data["brands"][0]["channels"]["mastodon"]["access_token"] = "plain-token"

    found = problems(data)
    assert "brands[1].steps[0].slack_channel:" in found
    assert "brands[0].channels.mastodon.access_token: must be a secret reference" in found


def test_brand_names_are_unique() -> None:
    data = brands_data()
    data["brands"][1]["name"] = "freigabe"

    assert "brands: names must be unique: freigabe" in problems(data)


def test_writers_are_addresses_or_domains() -> None:
    data = brands_data()
    data["brands"][0]["writers"] = ["not an address"]

    assert "brands[0].writers[0]: must be an e-mail address or @domain" in problems(data)


def test_one_channel_name_in_two_brands_must_be_the_same_channel() -> None:
    data = brands_data()
    data["brands"][1]["channels"]["outbox"] = {"type": "outbox", "path": "elsewhere.jsonl"}

    assert "brands[1].channels.outbox: brand 'freigabe' has a channel" in problems(data)
    data["brands"][1]["channels"]["outbox"] = dict(data["brands"][0]["channels"]["outbox"])
    assert set(parse_config(data).organization.brand("kaffeebar").channels) >= {"outbox"}


def test_unknown_keys_in_a_brand_are_errors() -> None:
    data = brands_data()
    data["brands"][0]["writer"] = ["@freigabe.example"]

    assert "brands[0].writer: unknown key" in problems(data)


def test_the_file_without_brands_still_reports_missing_steps_by_name() -> None:
    data = workflow_file()
    del data["steps"]

    assert "steps: Field required" in problems(data)


# -- who writes for which brand --------------------------------------------------------------

def test_writers_by_address_domain_and_cognito_group() -> None:
    organization = load_config(BRANDS_FILE).organization

    assert organization.brands_for("Wanda.Writer@Freigabe.example") == ("freigabe", "kaffeebar")
    assert organization.brands_for("kim@kaffeebar.example") == ("kaffeebar",)
    assert organization.brands_for("kim@kaffeebar.example.evil") == ()
    assert organization.brands_for("x@notfreigabe.example") == ()
    assert organization.brands_for("gus@elsewhere.example", ["kaffeebar-writers"]) == ("kaffeebar",)


@pytest.mark.parametrize(("claim", "groups"), [
    ("kaffeebar-writers", ("kaffeebar-writers",)),
    ("[kaffeebar-writers freigabe-writers]", ("kaffeebar-writers", "freigabe-writers")),
    ("a,b", ("a", "b")),
    (["a", "b"], ("a", "b")),
    (None, ()),
    ("", ()),
])
def test_cognito_groups_claim_in_every_shape_api_gateway_hands_over(claim: Any,
                                                                     groups: tuple[str, ...]) -> None:
    assert cognito_groups(claim) == groups


def test_a_post_is_stored_under_its_brand_and_old_posts_load_as_default() -> None:
    post = new_post()
    post.brand, post.workflow_version = "kaffeebar", 3

    again = post_from_document(post_to_document(post))
    assert (again.brand, again.workflow_version) == ("kaffeebar", 3)
    old = {k: v for k, v in post_to_document(new_post()).items()
           if k not in ("brand", "workflow_version")}
    assert (post_from_document(old).brand, post_from_document(old).workflow_version) == (
        "default", None)


def test_create_picks_the_only_brand_and_refuses_the_others() -> None:
    repo = MemoryPostRepository()
    ctx = brands_context(repo)
    draft = writing.Draft(text="Neue Bohnen", channels=["kaffee_outbox"])

    post = writing.create(ctx, KIM, draft)
    assert (post.brand, post.status) == ("kaffeebar", Status.IN_REVIEW)
    assert repo.get(post.id).brand == "kaffeebar"
    assert writing.create(ctx, GROUPED, draft).brand == "kaffeebar"
    with pytest.raises(Forbidden):
        writing.create(ctx, KIM, replace(draft, brand="freigabe", channels=["outbox"]))
    with pytest.raises(InvalidContent) as needed:
        writing.create(ctx, WANDA, draft)
    assert needed.value.key == "brand_required"
    assert len(repo.by_author(WANDA.subject)) == 0


def test_a_submitted_post_remembers_the_workflow_version() -> None:
    ctx = brands_context()
    ctx.brands = replace(ctx.organization, version=7)

    post = writing.create(ctx, KIM, writing.Draft(text="Hallo", channels=["kaffee_outbox"]))
    assert post.workflow_version == 7


def test_a_brands_post_is_decided_by_that_brands_reviewers_only() -> None:
    repo = MemoryPostRepository()
    ctx = brands_context(repo)
    post = writing.create(ctx, WANDA, writing.Draft(text="Neue Bohnen", channels=["kaffee_outbox"],
                                                    brand="kaffeebar"))
    brand_reviewer_of_the_other_brand = Reviewer("U0BRAND1", "brand@freigabe.example")
    kaffeebar_reviewer = Reviewer("U0LEGAL2", "legal2@freigabe.example")

    with pytest.raises(NotEligible):
        review.decide(ctx, post.id, "brand", brand_reviewer_of_the_other_brand, "approve",
                      post.content_hash)
    assert repo.get(post.id).status is Status.IN_REVIEW
    outcome = review.decide(ctx, post.id, "brand", kaffeebar_reviewer, "approve",
                            post.content_hash)
    assert outcome.recorded and repo.get(post.id).status is Status.SCHEDULED


def test_workflow_for_falls_back_to_the_one_workflow_without_brands() -> None:
    config = load_config(WORKFLOW_FILE)
    ctx = Context(MemoryPostRepository(), config.workflow, Clock(NOW), lambda: "p1")
    post = new_post()
    post.brand = "gone"

    assert ctx.workflow_for(post) is config.workflow
    assert ctx.organization.names == ("default",)
    with_brands = brands_context()
    assert with_brands.workflow_for(post).brand == "freigabe"  # a brand since removed
