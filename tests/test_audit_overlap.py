"""Overlap and near-duplicate detection on short posts: pairs written for the purpose, as
clinics write them (a post rewritten years later with small rewording, not copied)."""

from __future__ import annotations

import pytest
from test_audit import make_post, run, signals, when

OLD_NECK = """Dry needling is a treatment our physiotherapists use for neck pain caused by tight,
overworked muscles. A thin needle is placed into a trigger point, the knot that refers pain
up into the head or down toward the shoulder blade. Most patients feel a brief twitch and a
dull ache that settles within a day. We usually combine needling with gentle neck exercises
and advice on posture at the desk. Three to four sessions are typical before the pain eases.
Needling is not for everyone: tell us if you take blood thinners or are pregnant. Book an
assessment and we will tell you whether dry needling suits your neck pain."""

NEW_NECK = """Dry needling is a technique our physiotherapists often use for neck pain that comes
from tight, overworked muscles. A fine needle goes into a trigger point, the knot that sends pain
up into the head or down toward the shoulder blade. Most people feel a short twitch and a dull
ache that fades within a day. We normally pair needling with gentle neck exercises and tips on
desk posture. Three or four visits are usual before the pain settles. Dry needling is not for
everyone: let us know if you take blood thinners or are pregnant. Book an assessment and we can
tell you whether needling suits your neck pain."""

MASSAGE_NECK = """Massage therapy eases neck pain by relaxing the muscles that hold the head up all
day. Our registered massage therapists use slow strokes, stretching and pressure on tender spots.
Heat before the session helps the tissue soften. Most clients leave looser and sleep better that
night. Drink water, move gently and expect mild soreness the next day. Regular sessions every two
to four weeks keep stiffness from building up again, especially for people who work at a laptop.
Many extended health plans cover massage with a receipt from a registered therapist."""

HEEL_NEEDLING = """Plantar fasciitis causes sharp heel pain with the first steps in the morning.
Dry needling of the calf and the small muscles of the foot can ease it when stretching alone has
not helped. We combine it with calf stretches, supportive shoes and, for some runners, a short
break from hills. Night splints help a few patients. Most cases settle within three to six months
of steady care, and very few need an injection. Come in if the pain lasts more than two weeks."""


def posts():
    return [
        make_post("dry-needling-neck-pain", body=OLD_NECK, published=when(2022, 9, 14),
                  title="Dry Needling for Neck Pain: What to Expect"),
        make_post("needling-stiff-neck", body=NEW_NECK, published=when(2025, 10, 2),
                  title="Can Dry Needling Help a Stiff Neck?"),
        make_post("massage-neck-pain", body=MASSAGE_NECK, published=when(2025, 3, 5),
                  title="Massage Therapy for Neck Pain"),
        make_post("needling-heel-pain", body=HEEL_NEEDLING, published=when(2024, 6, 1),
                  title="Dry Needling for Heel Pain"),
    ]


def test_a_short_post_rewritten_years_later_is_flagged_as_overlapping():
    report = run(*posts())
    old, new = signals(report, "/dry-needling-neck-pain"), signals(report, "/needling-stiff-neck")
    assert "near_duplicate" in old and "near_duplicate" in new
    found = next(f for p in report.posts if p.url.endswith("/dry-needling-neck-pain")
                 for f in p.findings if f.check == "near_duplicate")
    assert found.related == [posts()[1].url] and "Merge into" in found.action  # the newer one is kept


@pytest.mark.parametrize("slug", ["massage-neck-pain", "needling-heel-pain"])
def test_posts_that_share_only_a_condition_or_a_treatment_do_not_overlap(slug):
    found = signals(run(*posts()), f"/{slug}")
    assert not {"near_duplicate", "topic_overlap"} & found
