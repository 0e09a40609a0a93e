"""Dates: structured first, human text with dateparser, plausibility, time zones."""

import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crawler.dates import DateCollector, find_snippets, parse_human, parse_structured, url_date
from crawler.extract import extract_post
from crawler.records import DateKind, DateSource, FetchInfo, WarningKind

ROOT = Path(__file__).resolve().parent.parent
EDMONTON = ZoneInfo("America/Edmonton")
FETCHED = datetime(2026, 11, 25, 18, 0, tzinfo=timezone.utc)  # 11:00 in Edmonton


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-04-09T15:30:00+00:00", datetime(2024, 4, 9, 15, 30, tzinfo=timezone.utc)),
        ("2024-04-09T15:30:00Z", datetime(2024, 4, 9, 15, 30, tzinfo=timezone.utc)),
        ("2024-04-09T09:30:00.000-0600", datetime(2024, 4, 9, 15, 30, tzinfo=timezone.utc)),
        ("Tue, 09 Apr 2024 15:30:00 GMT", datetime(2024, 4, 9, 15, 30, tzinfo=timezone.utc)),
        # no zone: the site's zone; no time: midnight local
        ("2024-04-09 09:30:00", datetime(2024, 4, 9, 9, 30, tzinfo=EDMONTON)),
        ("2024-04-09", datetime(2024, 4, 9, tzinfo=EDMONTON)),
    ],
)
def test_parse_structured(raw, expected):
    value = parse_structured(raw, "America/Edmonton")
    assert value == expected
    assert value.tzinfo is not None


@pytest.mark.parametrize("raw", ["", "soon", "2024-13-45", "2024"])
def test_parse_structured_rejects(raw):
    assert parse_structured(raw, "UTC") is None


@pytest.mark.parametrize(
    ("text", "languages", "expected"),
    [
        ("July 18, 2025", ["en"], datetime(2025, 7, 18, tzinfo=EDMONTON)),
        ("6 octobre 2022", ["fr"], datetime(2022, 10, 6, tzinfo=EDMONTON)),
        ("1er juin 2023", ["fr"], datetime(2023, 6, 1, tzinfo=EDMONTON)),
        ("March 4th, 2025", ["en"], datetime(2025, 3, 4, tzinfo=EDMONTON)),
        ("Sept. 3, 2024", ["en"], datetime(2024, 9, 3, tzinfo=EDMONTON)),
        ("12/03/2021", ["en"], datetime(2021, 12, 3, tzinfo=EDMONTON)),
        ("12/03/2021", ["fr"], datetime(2021, 3, 12, tzinfo=EDMONTON)),
        ("3 days ago", ["en"], datetime(2026, 11, 22, 11, 0, tzinfo=EDMONTON)),
        ("il y a 2 semaines", ["fr"], datetime(2026, 11, 11, 11, 0, tzinfo=EDMONTON)),
        ("yesterday", ["en"], datetime(2026, 11, 24, 11, 0, tzinfo=EDMONTON)),
    ],
)
def test_parse_human(text, languages, expected):
    value = parse_human(text, languages=languages, tz="America/Edmonton", fetched_at=FETCHED)
    assert value == expected
    assert value.utcoffset() is not None


def test_text_date_is_midnight_local_and_aware():
    value = parse_human("July 18, 2025", tz="America/Edmonton")
    assert (value.hour, value.minute) == (0, 0)
    assert value.utcoffset() == timedelta(hours=-6)  # MDT in July
    assert value.astimezone(timezone.utc) == datetime(2025, 7, 18, 6, 0, tzinfo=timezone.utc)


def test_find_snippets_only_date_like_text():
    text = "Posted on July 18, 2025 by Jane in Marseille. Updated 6 octobre 2022; 3 days ago."
    assert find_snippets(text) == ["July 18, 2025", "6 octobre 2022", "3 days ago"]
    assert find_snippets("Call 780-555-0142 or visit Suite 200, open 7 days a week") == []


def test_url_date():
    value, raw = url_date("https://c.ca/2024/05/17/knee-pain/", "America/Edmonton")
    assert value == datetime(2024, 5, 17, tzinfo=EDMONTON)
    assert raw == "2024/05/17"
    assert url_date("https://c.ca/blog/knee-pain/") is None


def _collector():
    return DateCollector(tz="America/Edmonton", languages=["en"], fetched_at=FETCHED)


def test_unparseable_text_warns_with_raw():
    dc = _collector()
    assert dc.add_structured("sometime last spring", DateKind.PUBLISHED, DateSource.META) is None
    finding = dc.finish()
    assert finding.published is None
    [warning] = finding.warnings
    assert warning.kind is WarningKind.UNPARSEABLE_DATE
    assert "sometime last spring" in warning.message


@pytest.mark.parametrize("raw", ["1970-01-01T00:00:00Z", "2031-01-01T00:00:00Z", "2026-11-28T12:00:00Z"])
def test_implausible_dates_are_kept_but_not_chosen(raw):
    dc = _collector()
    dc.add_structured(raw, DateKind.PUBLISHED, DateSource.JSONLD)
    dc.add_text("Posted March 3, 2024")
    finding = dc.finish()
    assert [c.raw for c in finding.candidates] == [raw, "March 3, 2024"]
    assert finding.published.source is DateSource.TEXT
    assert [w.kind for w in finding.warnings] == [WarningKind.IMPLAUSIBLE_DATE]


def test_one_day_ahead_is_plausible():
    dc = _collector()
    dc.add_structured("2026-11-26T09:00:00-07:00", DateKind.PUBLISHED, DateSource.JSONLD)
    assert dc.finish().published is not None


def test_structured_beats_text_and_disagreement_warns():
    dc = _collector()
    dc.add_text("June 1, 2023")
    dc.add_structured("2023-05-01T10:00:00Z", DateKind.PUBLISHED, DateSource.JSONLD)
    finding = dc.finish()
    assert finding.published.source is DateSource.JSONLD
    assert WarningKind.DATES_DISAGREE in [w.kind for w in finding.warnings]


def test_updated_cue_makes_a_modified_date():
    dc = _collector()
    dc.add_text("Published March 3, 2024 · Last updated: May 5, 2025")
    finding = dc.finish()
    assert finding.published.raw == "March 3, 2024"
    assert finding.modified.raw == "May 5, 2025"
    assert finding.modified.source is DateSource.TEXT


GRAPH_PAGE = """<html lang="en"><head><title>Knee pain</title>
<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "WebSite", "@id": "https://c.ca/#website", "name": "Clinic"},
  {"@type": "BlogPosting", "headline": "Knee pain", "datePublished": "2023-02-01T08:00:00-07:00",
   "dateModified": "2025-06-10T12:00:00-06:00", "author": {"@id": "https://c.ca/#/person/1"}},
  {"@type": "Person", "@id": "https://c.ca/#/person/1", "name": "Dana Lee"}
]}
</script></head><body><article><h1>Knee pain</h1>
<p>Knee pain is common among runners and it usually responds well to a graded strengthening plan.</p>
</article></body></html>"""


def test_jsonld_graph_published_and_modified():
    post = extract_post(GRAPH_PAGE, "https://c.ca/knee/", fetched_at=FETCHED, timezone="America/Edmonton")
    assert post.published == datetime(2023, 2, 1, 15, 0, tzinfo=timezone.utc)
    assert post.published_source is DateSource.JSONLD
    assert post.published_raw == "2023-02-01T08:00:00-07:00"
    assert post.modified == datetime(2025, 6, 10, 18, 0, tzinfo=timezone.utc)
    assert post.modified_source is DateSource.JSONLD
    assert post.author == "Dana Lee"
    assert not [w for w in post.warnings if w.kind is WarningKind.DATES_DISAGREE]


def test_http_and_sitemap_dates_are_candidates_never_published():
    page = "<html><body><article><h1>No date here</h1><p>" + "Plain words only. " * 20 + "</p></article></body></html>"
    fetch = FetchInfo(last_modified="Wed, 01 Oct 2025 10:00:00 GMT",
                      sitemap_lastmod=datetime(2025, 9, 30, tzinfo=timezone.utc), fetched_at=FETCHED)
    post = extract_post(page, "https://c.ca/x/", fetch=fetch, timezone="America/Edmonton")
    sources = {c.source for c in post.date_candidates}
    assert sources == {DateSource.HTTP, DateSource.SITEMAP}
    assert post.published is None
    assert WarningKind.NO_DATE in [w.kind for w in post.warnings]
    assert post.modified_source is DateSource.SITEMAP
    assert post.fetch == fetch


def test_meta_date_in_1970_is_implausible_on_a_page():
    page = """<html><head><meta property="article:published_time" content="1970-01-01T00:00:00+00:00"></head>
    <body><article><h1>Epoch</h1><p class="date">March 3, 2024</p><p>""" + "Text of the post. " * 20 + "</p></article></body></html>"
    post = extract_post(page, "https://c.ca/x/", fetched_at=FETCHED, timezone="America/Edmonton")
    assert post.published == datetime(2024, 3, 3, tzinfo=EDMONTON)
    assert post.published_source is DateSource.TEXT
    assert WarningKind.IMPLAUSIBLE_DATE in [w.kind for w in post.warnings]


def test_french_relative_words_only_on_french_pages():
    # "hier" is "here" in German: not yesterday
    german = DateCollector(tz="Europe/Berlin", languages=["de"], fetched_at=FETCHED)
    assert german.add_text("Ich bin hier und lese.") == []
    french = DateCollector(tz="America/Edmonton", languages=["fr"], fetched_at=FETCHED)
    assert len(french.add_text("Publié hier")) == 1


def test_heuristic_ranks_below_the_page_and_its_url():
    dc = _collector()
    assert not dc.has_published()
    dc.add_structured("2023-02-01", DateKind.PUBLISHED, DateSource.HEURISTIC)
    dc.add_url("https://c.ca/2024/05/17/knee-pain/")
    finding = dc.finish()
    assert finding.published.source is DateSource.URL
    heuristic = next(c for c in finding.candidates if c.source is DateSource.HEURISTIC)
    assert heuristic.value == datetime(2023, 2, 1, tzinfo=EDMONTON) and heuristic.raw == "2023-02-01"


def _page(head: str, byline: str = "") -> str:
    return (f"<html><head>{head}</head><body><article><h1>Knee pain on the stairs</h1>{byline}"
            "<p>Knee pain on the stairs is one of the most common complaints we hear in the clinic.</p>"
            "</article></body></html>")


def test_a_utc_stamp_yields_to_the_local_day_the_url_and_byline_show():
    """JSON-LD in UTC (03:28Z on the 9th) for a post the page dates 22:28 on the 8th and
    files under /2023/11/08/: the candidate on the URL's day is the publication date."""
    html = _page('<script type="application/ld+json">{"@type": "NewsArticle", '
                 '"datePublished": "2023-11-09T03:28:35Z"}</script>',
                 "<p class='byline'>Nov. 8, 2023, 10:28 p.m.</p>")
    post = extract_post(html, "https://news.example/2023/11/08/knee-stairs/", fetched_at=FETCHED,
                        timezone="America/New_York")
    assert post.published.date().isoformat() == "2023-11-08"
    assert post.published_source is DateSource.TEXT
    assert post.published_raw == "Nov. 8, 2023, 10:28 p.m."


def test_a_later_editions_structured_date_yields_to_the_urls_day():
    """A structured date two years after the day the URL files the post under (a later
    edition, a migration) is not the publication date: the URL's day is, and they disagree."""
    html = _page('<script type="application/ld+json">{"@type": "BlogPosting", '
                 '"datePublished": "2019-06-17T18:28:00+0200"}</script>')
    post = extract_post(html, "https://blog.example/home/2017/7/12/knee-stairs", fetched_at=FETCHED,
                        timezone="Europe/Berlin")
    assert (post.published.date().isoformat(), post.published_source) == ("2017-07-12", DateSource.URL)
    assert WarningKind.DATES_DISAGREE in [w.kind for w in post.warnings]


def test_the_url_judges_the_day_only_when_it_is_a_full_path_date():
    """'/2023/10/3-fragen-an' is a month folder and a slug starting with a number, not
    the 3rd; a structured date within a day of the URL's, with no candidate on the URL's
    day, stays (the site's zone gives its day)."""
    html = _page('<script type="application/ld+json">{"@type": "BlogPosting", '
                 '"datePublished": "2023-10-31T10:00:00+01:00"}</script>')
    post = extract_post(html, "https://blog.example/2023/10/3-fragen-an-tina/", fetched_at=FETCHED,
                        timezone="Europe/Berlin")
    assert (post.published.date().isoformat(), post.published_source) == ("2023-10-31", DateSource.JSONLD)
    near = _page('<script type="application/ld+json">{"@type": "BlogPosting", '
                 '"datePublished": "2020-07-09T01:30:00+02:00"}</script>')
    post = extract_post(near, "https://news.example/2020/07/08/story/", fetched_at=FETCHED, timezone="UTC")
    assert (post.published.date().isoformat(), post.published_source) == ("2020-07-09", DateSource.JSONLD)


def test_a_utc_serialised_instant_on_another_day_than_the_url_yields_to_it():
    """'2020-02-18T02:18:11Z' is the server's clock; the post was filed under /2020/02/17/."""
    html = _page('<script type="application/ld+json">{"@type": "NewsArticle", '
                 '"datePublished": "2020-02-18T02:18:11Z"}</script>')
    post = extract_post(html, "https://news.example/2020/02/17/story/", fetched_at=FETCHED,
                        timezone="America/New_York")
    assert (post.published.date().isoformat(), post.published_source) == ("2020-02-17", DateSource.URL)


def test_dotted_dates_are_day_first_whatever_the_page_language():
    html = _page('', "<p class='date'>02.11.2021</p>").replace("<html>", '<html lang="en">')
    post = extract_post(html, "https://clinic.example/blog/knee", fetched_at=FETCHED, timezone="Europe/Berlin")
    assert post.published.date().isoformat() == "2021-11-02"


def test_a_date_only_in_an_html_comment_is_found_by_the_fallback():
    """Blog engines keep an RDF trackback block with dc:date inside a comment; the parsed
    tree has no comments, so htmldate reads the page's text for it."""
    rdf = ('<!-- <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
           'xmlns:dc="http://purl.org/dc/elements/1.1/"><rdf:Description '
           'rdf:about="https://blog.example/e/5d8c" dc:title="Knee" dc:date="2020-07-03T10:00:00+09:00" />'
           '</rdf:RDF> -->')
    post = extract_post(_page("").replace("</body>", rdf + "</body>"), "https://blog.example/e/5d8c",
                        fetched_at=FETCHED, timezone="Asia/Tokyo")
    assert post.published_source is DateSource.HEURISTIC
    assert post.published.date().isoformat() == "2020-07-03"


def test_htmldates_extensive_search_dates_a_post_only_free_text_dates_but_never_from_a_copyright_year():
    """A date nothing structured marks ("14.03.2021" under the post): htmldate's fast search
    does not find it, its extensive search does. The copyright year it falls back on
    (given as January 1st) is no publication date: such a page stays undated."""
    prose = ("<p>Knee pain on the stairs is one of the most common complaints we hear in the clinic, "
             "and most of the time it comes from the joint behind the kneecap.</p>"
             "<p>Strength work for the hips and thighs settles most cases within six to eight weeks, "
             "with a gradual return to hills and stairs.</p>")
    page = ("<html><head><title>Knee</title></head><body><article><h1>Knee pain on the stairs</h1>"
            f"{prose}{{stamp}}</article><footer>Copyright 2024 Cedar Grove Physiotherapy</footer></body></html>")
    dated = extract_post(page.format(stamp="<p>14.03.2021</p>"), "https://clinic.example/blog/knee",
                         fetched_at=FETCHED, timezone="America/Edmonton")
    assert (dated.published.date().isoformat(), dated.published_source) == ("2021-03-14", DateSource.HEURISTIC)
    undated = extract_post(page.format(stamp=""), "https://clinic.example/blog/knee", fetched_at=FETCHED,
                           timezone="America/Edmonton")
    assert undated.published is None
    assert WarningKind.NO_DATE in [w.kind for w in undated.warnings]


def test_a_relative_date_yields_to_an_absolute_one_anywhere_on_the_page():
    """"16 hours ago" beside the title is a day either side at best (and a label when the
    page is not fresh); a date written out elsewhere on the page ranks above it. Alone,
    the relative date still dates the page."""
    prose = ("<p>Knee pain on the stairs is one of the most common complaints we hear in the clinic, "
             "and most of the time it comes from the joint behind the kneecap.</p>")
    page = ("<html><head><title>Knee</title></head><body><article><h1>Knee pain on the stairs</h1>"
            f"<p class='ago'>16 hours ago</p>{prose}{{stamp}}</article></body></html>")
    both = extract_post(page.format(stamp="<p>Published 14.03.2021</p>"), "https://clinic.example/blog/knee",
                        fetched_at=FETCHED, timezone="America/Edmonton")
    assert both.published.date().isoformat() == "2021-03-14"
    alone = extract_post(page.format(stamp=""), "https://clinic.example/blog/knee", fetched_at=FETCHED,
                         timezone="America/Edmonton")
    assert (alone.published_source, alone.published_raw) == (DateSource.TEXT, "16 hours ago")


@pytest.mark.parametrize("languages", [["en", "fr"], ["fr", "en"], ["de"], ["es"]])
def test_plain_dates_read_directly_match_dateparser(languages):
    """The common forms parse_human reads without dateparser ("March 14, 2024",
    "6 octobre 2022", abbreviations, any case) give exactly what dateparser gives."""
    from crawler.dates.parse import _MONTH_NUMBERS, _languages, _parser, _plain_date

    parser = _parser(_languages(languages))
    checked = 0
    for name in _MONTH_NUMBERS:
        for month in (name, name.capitalize(), name.upper()):
            for text in (f"{month} 9, 2024", f"{month}. 31 1999", f"14 {month} 2024", f"30 {month}, 2021"):
                fast = _plain_date(text)
                data = parser.get_date_data(text)
                expected = data.date_obj if data is not None else None
                if fast is None:
                    continue  # not a day of that month: dateparser decides
                checked += 1
                assert expected is not None and data.period == "day", text
                assert fast == expected.replace(hour=0, minute=0, second=0, microsecond=0), text
                assert parse_human(text, languages=languages, tz="America/Edmonton") == fast.replace(tzinfo=EDMONTON)
    assert checked > 300


def test_dates_outside_the_plain_forms_still_go_to_dateparser():
    from crawler.dates.parse import _plain_date

    assert _plain_date("6 de octubre de 2022") is None
    assert _plain_date("February 30, 2024") is None
    assert _plain_date("Marseille 14, 2024") is None
    assert parse_human("6 de octubre de 2022", languages=["es"]) is not None


def test_modified_dates_are_candidates_in_page_order():
    days = [f"2022-11-{day:02d} 10:00:00" for day in (3, 17, 9, 24, 11, 6, 20, 14)]
    rows = "".join(f"<li><span class='updated'>{day}</span></li>" for day in days)
    html = (f"<html><head><title>Knee</title></head><body><article><h1>Knee rehab</h1>"
            f"<p>{'Physiotherapy for the knee, step by step. ' * 20}</p><ul>{rows}</ul></article></body></html>")
    post = extract_post(html, "https://clinic.example/blog/knee/", fetched_at=datetime(2023, 1, 1, tzinfo=timezone.utc))
    raws = [c.raw for c in post.date_candidates if c.raw in days]
    assert raws == sorted(raws, key=days.index) and len(raws) == len(days)


@pytest.mark.parametrize("languages", [["en", "fr"], ["fr", "en"], ["de"]])
def test_relative_dates_read_directly_match_dateparser(languages):
    """"3 days ago", "an hour ago", "il y a 2 semaines", "hier"... read without dateparser
    give exactly what dateparser gives from the same base, month ends and leap days too."""
    from crawler.dates.parse import _UNITS, _languages, _parser, _plain_ago

    checked = 0
    for base in (datetime(2025, 3, 31, 14, 25, 7, 123456), datetime(2024, 2, 29), datetime(2023, 12, 31, 23, 59, 59),
                 datetime(2024, 1, 1, 0, 0, 30)):
        parser = _parser(_languages(languages), base)
        texts = ["today", "Yesterday", "HIER", "aujourd'hui", "aujourd’hui"]
        for word in _UNITS["en"]:
            texts += [f"{n} {w} ago" for n in ("1", "3", "12", "31", "59", "999", "a", "An") for w in (word, word.upper())]
        for word in _UNITS["fr"]:
            texts += [f"{il} {n} {word}" for il in ("il y a", "Il y a") for n in ("1", "2", "100", "un", "une")]
        for text in texts:
            fast = _plain_ago(text, base)
            assert fast is not None, text
            data = parser.get_date_data(text)
            assert data is not None and fast == data.date_obj, (text, base)
            checked += 1
    assert checked > 1000


def test_relative_dates_outside_the_plain_forms_still_go_to_dateparser():
    from crawler.dates.parse import _plain_ago

    base = datetime(2025, 3, 31, 14, 25, 7)
    for text in ("4 wks ago", "2 yrs ago", "un day ago", "il y a a jour", "3  days ago", "Posted 3 days ago",
                 "il y a 3 jours.", "1000 days ago", "3 fortnights ago"):
        assert _plain_ago(text, base) is None, text
    assert parse_human("3 days ago.", fetched_at=FETCHED, tz="UTC") == FETCHED - timedelta(days=3)


def test_a_relative_date_is_read_without_loading_dateparser():
    code = ("import sys\nfrom datetime import datetime, timezone\nfrom crawler.dates.parse import parse_human\n"
            "when = datetime(2025, 7, 18, 10, 0, tzinfo=timezone.utc)\n"
            "assert parse_human('3 days ago', fetched_at=when, tz='America/Edmonton').isoformat() "
            "== '2025-07-15T04:00:00-06:00'\n"
            "assert 'dateparser.date' not in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=60)
