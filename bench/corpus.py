"""Deterministic generated clinic posts and queries for the benchmarks.

Bodies are ~600 words drawn with Zipf-like frequencies from clinic vocabulary, common
English, and a long tail of rarer words, so posting lists have realistic lengths:
"pain" is in most posts, "patellofemoral" in few.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from itertools import accumulate

from crawler.records import Heading, Image, Post

SITE = "https://clinic.example"

CLINIC = """pain neck back shoulder knee hip ankle wrist elbow jaw headache injury treatment
therapy physiotherapy physiotherapist massage therapist acupuncture needling exercise stretch
strength posture mobility rehabilitation recovery assessment patient clinic appointment
muscle joint tendon ligament nerve spine disc sciatica whiplash concussion vertigo dizziness
balance sport running athlete surgery post-operative arthritis osteoarthritis inflammation
swelling stiffness sprain strain tear fracture chronic acute manual mobilization manipulation
ergonomics desk workstation office orthotics foot heel plantar fasciitis tennis golfer
rotator cuff pelvic floor pregnancy postpartum senior fall prevention core stability breathing
tension trigger point release soft tissue cupping taping kinesiology shockwave ultrasound
laser heat ice rest movement walking cycling swimming yoga pilates hamstring quadriceps calf
glute lumbar cervical thoracic scapula hip flexor it band meniscus acl mcl achilles tendinitis
bursitis frozen capsulitis carpal tunnel numbness tingling weakness range motion function goals
insurance billing direct coverage referral doctor family program plan home session visit
evaluation diagnosis imaging x-ray mri symptoms relief healing tissue load progress""".split()

COMMON = """the of and to a in is it you that he was for on are with as his they be at one
have this from or had by word but what some we can out other were all there when up use your
how said an each she which do their time if will way about many then them write would like so
these her long make thing see him two has look more day could go come did number sound no most
people my over know water than call first who may down side been now find any new work part take
get place made live where after back little only round man year came show every good me give
our under name very through just form sentence great think say help low line differ turn cause
much mean before move right boy old too same tell does set three want air well also play small
end put home read hand port large spell add even land here must big high such follow act why
ask men change went light kind off need house picture try us again animal point mother world
near build self earth father head stand own page should country found answer school grow study
still learn plant cover food sun four between state keep eye never last let thought city tree
cross farm hard start might story saw far sea draw left late run while press close night real
life few north open seem together next white children begin got walk example ease paper group
always music those both mark often letter until mile river car feet care second book carry took
science eat room friend began idea fish mountain stop once base hear horse cut sure watch color
face wood main enough plain girl usual young ready above ever red list though feel talk bird
soon body dog family direct pose leave song measure door product black short numeral class wind
question happen complete ship area half rock order fire south problem piece told knew pass since
top whole king space heard best hour better true during hundred five remember step early hold
west ground interest reach fast verb sing listen six table travel less morning ten simple several
vowel toward war lay against pattern slow center love person money serve appear road map rain
rule govern pull cold notice voice unit power town fine certain fly fall lead cry dark machine
note wait plan figure star box noun field rest correct able pound done beauty drive stood contain
front teach week final gave green oh quick develop ocean warm free minute strong special mind
behind clear tail produce fact street inch multiply nothing course stay wheel full force blue
object decide surface deep moon island foot system busy test record boat common gold possible
plane stead dry wonder laugh thousand ago ran check game shape equate hot miss brought heat snow
tire bring yes distant fill east paint language among""".split()

SYLLABLES = "ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo ga ge go la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po ra re ri ro ru sa se si so ta te ti to tu va ve vi vo za".split()

TOPICS = [
    ("Dry Needling", "neck pain"), ("Physiotherapy", "low back pain"), ("Massage Therapy", "tension"),
    ("Acupuncture", "headache"), ("Sports Injuries", "knee pain"), ("Ergonomics", "desk posture"),
    ("Concussion", "return to sport"), ("Vestibular", "vertigo"), ("Pelvic Health", "pregnancy"),
    ("Orthotics", "heel pain"), ("Motor Vehicle Injuries", "whiplash"), ("Shoulder", "rotator cuff"),
]


def _vocabulary(rng: random.Random, tail: int = 20_000) -> tuple[list[str], list[float]]:
    rare = sorted({"".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))) for _ in range(tail)})
    rng.shuffle(rare)
    words = COMMON[:60] + CLINIC + COMMON[60:] + rare
    weights = [1.0 / (rank + 8) ** 1.05 for rank in range(len(words))]
    return words, list(accumulate(weights))


def generate_posts(count: int, seed: int = 20261125, words_per_post: int = 600) -> list[Post]:
    rng = random.Random(seed)
    words, cum = _vocabulary(rng)
    start = datetime(2014, 1, 1, tzinfo=timezone(timedelta(hours=-7)))
    posts = []
    for i in range(count):
        category, focus = rng.choice(TOPICS)
        n = rng.randint(words_per_post - 150, words_per_post + 150)
        body_words = rng.choices(words, cum_weights=cum, k=n)
        # the topic's own words recur, as in a real post about it
        for _ in range(6):
            body_words.insert(rng.randrange(len(body_words)), focus)
        sentences, j = [], 0
        while j < len(body_words):
            k = rng.randint(8, 20)
            sentence = " ".join(body_words[j : j + k])
            sentences.append(sentence[:1].upper() + sentence[1:] + ".")
            j += k
        body = " ".join(sentences)
        title_words = rng.choices(CLINIC, k=rng.randint(2, 4))
        title = f"{category}: {focus.title()} and {' '.join(title_words).title()}"
        slug = f"{category.lower().replace(' ', '-')}-{i}"
        posts.append(
            Post(
                url=f"{SITE}/blog/{slug}/",
                site=SITE,
                title=title,
                published=start + timedelta(days=rng.randint(0, 12 * 365), hours=rng.randint(8, 17)),
                summary=" ".join(rng.choices(words[:400], k=25)).capitalize() + ".",
                body=body,
                word_count=len(body.split()),
                headings=[Heading(level=2, text=" ".join(rng.choices(CLINIC, k=4)).title()) for _ in range(3)],
                images=[Image(src=f"{SITE}/img/{slug}.jpg", alt=f"{focus} {rng.choice(CLINIC)}")],
                categories=[category, rng.choice(TOPICS)[0]],
                tags=rng.sample(CLINIC, 3),
                language="en",
            ).with_hash()
        )
    return posts


def generate_queries(count: int = 200, seed: int = 7) -> list[str]:
    """``count`` fixed queries of 1-3 common clinic words."""
    rng = random.Random(seed)
    common = CLINIC[:120]
    return [" ".join(rng.sample(common, rng.randint(1, 3))) for _ in range(count)]
