"""Whitford Chiropractic: a hand-written site from another decade.

No JSON-LD, no meta description, no canonical, mostly no lang attribute, tables for
layout, dates as text in whatever form the author typed that day, one unpaginated list.
"""

from crawler.records import DateSource as S
from crawler.records import WarningKind as W
from sample_site.model import (
    Clinic, PostSpec, Route, SiteSpec, StaffMember, day, h2, h3, img, p, table, ul,
)

CLINIC = Clinic(
    name="Whitford Chiropractic Clinic",
    phone="(780) 555-0131",
    address="4907 50 Street, Leduc, AB T9E 6X2",
    hours=("Mon, Wed, Fri 8:00 - 6:00", "Tue, Thu 10:00 - 7:00"),
    email="frontdesk@whitfordchiro.example",
    staff=(
        StaffMember("Dr. Hal Whitford", "Chiropractor"),
        StaffMember("Dr. Nadine Roy", "Chiropractor (English / Français)"),
        StaffMember("Carla Mendes", "Massage Therapist"),
    ),
    copyright_year=2019,
    old_phones=("(780) 555-0177",),
    old_addresses=("112 Main Street",),
    old_hours=("Monday to Friday 9:00 to 5:00",),
    former_staff=(),
)

def _text(y: int, m: int, d: int, text: str, raw: str | None = None) -> dict:
    return dict(date_text=text, published=day(y, m, d), published_source=S.TEXT,
                published_raw=raw or text)


POSTS = [
    PostSpec(
        slug="chiropractic-adjustment-cracking",
        path="/articles/adjustments.html",
        title="What Is That Cracking Sound?",
        summary="The pop you hear during a chiropractic adjustment, explained.",
        **_text(2025, 6, 3, "June 3, 2025"),
        body=(
            p("""Almost every new patient asks about it: what is that cracking or popping sound
            when the chiropractor adjusts my back? It is not bones grinding or anything breaking.
            The sound comes from a small bubble of gas released inside the joint."""),
            h2("Where the sound comes from"),
            p("""Each spinal joint is surrounded by a capsule filled with fluid. When the joint is
            stretched quickly during an adjustment, the pressure inside drops and dissolved gas forms
            a bubble, making the familiar pop. It is the same thing that happens when people crack
            their knuckles."""),
            h2("Does the sound mean it worked?"),
            p("""No. The pop is a side effect, not the goal. An adjustment can improve movement and
            ease pain with or without a sound, and we never force a joint just to hear it."""),
            h3("What patients usually feel"),
            ul("A sense of release or looseness", "Easier turning of the neck or back",
               "Sometimes mild soreness for a day, like after exercise"),
            p("""If you have questions about your care, ask Dr. Whitford or Dr. Roy at your next
            visit. We are always happy to explain what we are doing and why."""),
        ),
        notes="the clean plain post",
    ),
    PostSpec(
        slug="whiplash-car-accident",
        path="/articles/whiplash.html",
        title="Whiplash After a Car Accident",
        summary="Neck pain after a motor vehicle accident? What to do in the first weeks.",
        **_text(2023, 11, 8, "Nov. 8, 2023"),
        malformed=True,
        warnings=(W.MALFORMED_HTML,),  # readable, but the parser had to repair it
        body=(
            p("""Whiplash is the most common injury after a car accident. Even a fender bender at
            low speed can strain the muscles and ligaments of the neck, and symptoms often start a
            day or two after the collision."""),
            h2("Symptoms to watch for"),
            ul("Neck pain and stiffness", "Headaches starting at the base of the skull",
               "Pain between the shoulder blades", "Tingling in the arms"),
            h2("Treatment"),
            p("""Gentle chiropractic care, soft tissue work and home exercises help most people
            recover within weeks. After a motor vehicle accident (MVA) in Alberta, your first visits
            are covered by your auto insurance without a referral."""),
            p("""Bring your claim number and the other driver's insurance information if you have
            it. We fill out the forms with you and send them to the insurer."""),
            h2("Do not wait it out"),
            p("""Early treatment and staying active lead to better outcomes than rest. Call us soon
            after an MVA even if the pain seems minor."""),
            p("""Keep your neck moving gently through the day, use heat for stiffness and
            avoid long drives in the first week if you can. Sleep with a pillow that keeps
            your neck level."""),
        ),
        audit=("old_post",),
        notes="malformed HTML: unclosed <p>/<li>/<font>, stray </div>s; must still read as a post",
    ),
    PostSpec(
        slug="douleur-lombaire",
        path="/articles/douleur-lombaire.html",
        title="La douleur lombaire et la chiropratique",
        summary="Comprendre la douleur au bas du dos et le rôle du chiropraticien.",
        lang="fr",
        **_text(2022, 10, 6, "6 octobre 2022"),
        body=(
            p("""La douleur lombaire touche presque tout le monde à un moment de la vie. Elle
            apparaît souvent après un effort inhabituel, une longue journée assise ou un mauvais
            mouvement en pelletant la neige."""),
            h2("D'où vient la douleur?"),
            p("""Dans la plupart des cas, la douleur vient des muscles, des ligaments ou des
            articulations du bas du dos, et non d'une maladie grave. Elle peut être vive au début,
            mais elle s'améliore généralement en quelques semaines."""),
            h2("Ce que fait le chiropraticien"),
            ul("Un examen complet du dos et des hanches", "Des ajustements doux et précis",
               "Des exercices à faire à la maison", "Des conseils pour le travail et le sommeil"),
            p("""La physiothérapie et la massothérapie complètent bien les soins chiropratiques.
            Nous travaillons avec les physiothérapeutes de la région lorsque c'est utile."""),
            h3("Quand consulter rapidement?"),
            p("""Consultez sans attendre si la douleur s'accompagne de faiblesse dans une jambe, de
            fièvre ou de problèmes urinaires. Dr Nadine Roy offre des consultations en français."""),
            p("""Restez actif autant que possible: la marche, les étirements doux et le
            retour graduel au travail aident le dos à guérir plus vite que le repos au lit."""),
        ),
        audit=("old_post",),
        seo=(),
        notes="French: <html lang=fr>, date '6 octobre 2022' in text",
    ),
    PostSpec(
        slug="orthotics-myths",
        path="/articles/orthotics.html",
        title="Orthotics: Myths and Facts",
        summary="Do you really need orthotics? Dr. Nadine Roy sorts myth from fact.",
        **_text(2021, 5, 2, "May 2, 2021"),
        served_charset="utf-8", declared_charset="iso-8859-1",
        warnings=(W.ENCODING,),
        body=(
            p("""Custom orthotics are shoe inserts made for your feet. They can help some people a
            great deal, but they are not a cure-all. Dr. Nadine Roy, who trained in Montréal and
            Trois-Rivières, answers the questions we hear most."""),
            h2("Myth: everyone with flat feet needs orthotics"),
            p("""Many people with flat feet never have pain. Orthotics are for feet that hurt or
            that cause pain further up the leg, not for a foot shape on its own. A naïve rule of
            "flat foot, orthotic" sells a lot of insoles but helps few people."""),
            h2("Fact: orthotics can ease heel and knee pain"),
            p("""For plantar fasciitis, some knee pain and certain back problems, a well-made
            orthotic reduces strain while the body heals. We pair them with exercises so your feet
            get stronger too."""),
            h2("Fact: they need a proper assessment"),
            p("""We look at how you stand, walk and run before recommending anything. Bring the
            shoes you wear most; your café job or your hockey skates matter as much as your feet."""),
        ),
        audit=("old_post",),
        notes="Content-Type says iso-8859-1, the bytes are UTF-8: accents turn to mojibake",
    ),
    PostSpec(
        slug="sciatica-relief",
        path="/articles/sciatica.html",
        title="Sciatica Relief",
        summary="What sciatica is and how chiropractic care can help.",
        **_text(2017, 3, 3, "March 3, 2017"),
        body=(
            p("""Sciatica is pain that follows the sciatic nerve from the lower back through the
            buttock and down the leg. It is usually caused by a bulging disc or tight muscles
            pressing on the nerve."""),
            h2("How we treat sciatica"),
            p("""Our chiropractors use gentle adjustments, stretching and therapeutic exercise to
            take pressure off the nerve. Most patients feel better within a few weeks."""),
            table(("Week", "What we focus on"),
                  ("1-2", "Calming pain, gentle movement"),
                  ("3-4", "Stretching and core exercises"),
                  ("5-6", "Back to normal activity")),
            h2("Call us"),
            p("""Do not suffer with leg pain. Call Whitford Chiropractic at (780) 555-0177 or visit
            us at 112 Main Street, Leduc. Evening appointments are available, and we can usually
            see new patients within two days. Bring comfortable clothes and any X-rays you have had
            taken."""),
            p("""Try to avoid sitting for long periods, especially in soft chairs and car
            seats. Short walks and lying on your back with your knees bent often ease the
            pain."""),
        ),
        audit=("old_post", "stale_phone", "stale_address"),
        notes="oldest plain post; old phone and the old street address",
    ),
    PostSpec(
        slug="posture-at-work",
        path="/articles/posture_at_work.html",
        title="Posture at Work",
        summary="Desk posture tips for office workers.",
        **_text(2019, 1, 15, "Posted January 15, 2019", raw="Posted January 15, 2019"),
        body=(
            p("""Office work is hard on the neck and back. Sitting still for hours lets the
            shoulders round and the head drift forward, which loads the neck far more than
            standing tall."""),
            h2("Three quick fixes"),
            ul("Raise your monitor so you look straight ahead",
               "Keep your hips slightly higher than your knees",
               "Get up every half hour, even for a minute"),
            img("/images/desk.png", "desk"),
            h2("Stretches for the office"),
            p("""Try chin tucks, doorway chest stretches and standing back bends a few times a
            day. None of them need special equipment, and together they take less than two minutes.
            If pain persists, a chiropractic assessment can find out which joints and muscles are
            involved and help you set up your workstation properly. Carla Mendes, our massage
            therapist, also treats tight shoulders and necks from desk work."""),
            p("""Your chair matters less than how often you move. The best posture is the
            next one, so change position often and let your body take a break from sitting."""),
        ),
        audit=("old_post",),
        seo=("url_underscore",),
        notes="underscores in the file name",
    ),
    PostSpec(
        slug="spring-checkup",
        path="/articles/spring-checkup.html",
        title="Time for a Spring Check-Up",
        summary="Gardening season is coming: get your back ready.",
        date_text="Posted: sometime last spring-ish",
        warnings=(W.UNPARSEABLE_DATE,),
        body=(
            p("""Gardening, golf and spring cleaning all come at once, and our backs feel it.
            Before you haul bags of soil or swing a club for the first time this year, take a few
            minutes to warm up."""),
            h2("Warm up first"),
            p("""Walk for five minutes, then do gentle hip circles, trunk rotations and hamstring
            stretches. Cold muscles strain more easily than warm ones."""),
            h2("Lift smart"),
            ul("Bend at the hips and knees, not the back", "Keep loads close to your body",
               "Use a wheelbarrow or cart for heavy bags", "Switch tasks every twenty minutes"),
            p("""If your back does complain, ice for the first day, keep moving gently and call us
            if it does not ease within a few days. A spring check-up with our chiropractors is a
            good way to start the season without pain. Our massage therapist can also help loosen
            tight muscles after a long day in the garden."""),
            p("""Good shoes, a kneeling pad and tools with long handles also take strain off
            the back and knees."""),
        ),
        audit=("no_date",),
        notes="the date line ('Posted: ...', under the title) is there but no parser can read it",
    ),
    PostSpec(
        slug="new-hours",
        path="/articles/new-hours.html",
        title="New Hours",
        summary="Our new clinic hours.",
        **_text(2024, 9, 9, "September 9, 2024"),
        body=(
            p("""Starting September 16 our new hours are Monday to Friday 9:00 to 5:00. We are
            closed on weekends and holidays. Thank you for your patience while we adjust our
            schedule, and please call the front desk if you need to move an appointment."""),
        ),
        audit=("old_post", "thin", "stale_hours", "past_time_reference"),
        seo=("title_too_short", "thin_content"),
        notes="under 150 words; the hours it announces are no longer the clinic's hours",
    ),
]

ROUTES = [
    Route("/articles/clinic-news.html", "empty", "empty_body", status=200, linked_from="listing",
          notes="200 with a zero-byte text/html body"),
    Route("/articles/xray-gallery.html", "binary", "binary_body", status=200, linked_from="listing",
          notes="PNG bytes served as text/html"),
]

SITE = SiteSpec(
    key="plain", clinic=CLINIC, lang="en", blog_path="/articles.html", page_size=0,
    title_suffix=" - Whitford Chiro", posts=POSTS, routes=ROUTES,
    pdf_path="/files/new-patient-form.pdf",
    # html_lang_missing: every page but the French one, which says lang="fr"
    natural_seo=("canonical_missing", "meta_description_missing", "jsonld_missing", "og_missing",
                 "twitter_card_missing", "html_lang_missing"),
    site_audit=("copyright_past", "no_author", "no_references", "no_review_date"),
)
