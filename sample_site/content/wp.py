"""Summit Sports Physiotherapy: a WordPress blog with an SEO plugin (Yoast-like).

JSON-LD @graph, article:published_time/modified_time, <time datetime> bylines, authors,
categories and tags, figure/figcaption, OG/Twitter, canonical, /blog/page/N/ pagination,
a sitemap index, an English/French post pair with hreflang.
"""

from crawler.records import DateSource as S
from crawler.records import WarningKind as W
from sample_site.model import (
    Clinic, Head, ImageSpec, PostSpec, Route, SiteSpec, StaffMember, h2, h3, h4, img, local, p,
    quote, ul,
)

CLINIC = Clinic(
    name="Summit Sports Physiotherapy & Chiropractic",
    phone="(780) 555-0168",
    address="25 Perron Street, Suite 300, St. Albert, AB T8N 1E6",
    hours=("Monday–Thursday 7:00 am – 7:00 pm", "Friday 7:00 am – 5:00 pm",
           "Saturday 8:00 am – 1:00 pm"),
    email="info@summitsportsphysio.example",
    staff=(
        StaffMember("Kevin Huang", "Physiotherapist"),
        StaffMember("Rachel Moreau", "Pelvic Health Physiotherapist"),
        StaffMember("Dr. Amélie Fortin", "Chiropractor"),
        StaffMember("Tom Bergstrom", "Registered Massage Therapist"),
    ),
    copyright_year=2026,
    old_phones=("(780) 555-0110",),
    old_addresses=("12 Sir Winston Churchill Avenue",),
    old_hours=("Monday to Friday 8:00 am to 6:00 pm",),
    former_staff=("Dr. Greg Lawson",),
)

KEVIN, RACHEL, AMELIE, TOM, GREG = (
    "Kevin Huang", "Rachel Moreau", "Dr. Amélie Fortin", "Tom Bergstrom", "Dr. Greg Lawson")


def _dates(published, modified=None, text=None) -> dict:
    """Yoast writes both dates into JSON-LD; the byline prints the published one."""
    modified = modified or published
    return dict(
        date_text=text or f"{published:%B} {published.day}, {published.year}",
        published=published, published_source=S.JSONLD, published_raw=published.isoformat(),
        modified=modified, modified_source=S.JSONLD, modified_raw=modified.isoformat(),
    )


def _hero(name: str, alt: str) -> ImageSpec:
    return ImageSpec(f"/wp-content/uploads/{name}.png", alt, None, "hero")


def _fig(name: str, alt: str | None, caption: str | None):
    return img(f"/wp-content/uploads/{name}.png", alt, caption)


_P6 = local(2026, 5, 19, 10, 30)
_P6_JSONLD = local(2025, 5, 19, 10, 30)

POSTS = [
    PostSpec(
        slug="physiotherapy-vs-physical-therapy",
        path="/2026/11/physiotherapy-vs-physical-therapy/",
        title="Physiotherapy vs. Physical Therapy: Is There a Difference?",
        summary="Physiotherapy and physical therapy are the same profession under two names. Here is what a physio does and when to see one.",
        **_dates(local(2026, 11, 10, 9, 15)),
        head=Head(title_tag="Physiotherapy vs. Physical Therapy | Summit Physio"),
        author=KEVIN, categories=("Physiotherapy",), tags=("physio", "physical therapy"),
        hero=_hero("physio-knee-assessment", "A physiotherapist assesses a patient's knee on a treatment table."),
        body=(
            p("""Patients often ask whether physiotherapy and physical therapy are different
            treatments. In Canada the two names describe the same regulated profession. Most
            provinces use "physiotherapist", while "physical therapist" is more common in the United
            States, and many people simply say "physio"."""),
            h2("What a physiotherapist does"),
            p("""A physiotherapist assesses how you move and why it hurts, then treats the cause with
            exercise, hands-on techniques and education. Physio helps after injuries and surgery, with
            long-term conditions such as arthritis, and with aches that build up from work and
            sport."""),
            _fig("physio-exercise-band", "A patient pulls a resistance band while a physio watches her shoulder.",
                 "Strengthening with a resistance band after a shoulder injury."),
            h2("Do I need a referral?"),
            p("""No. In Alberta you can book directly with a physiotherapist. Some extended health
            plans ask for a doctor's note before they reimburse, so check your policy."""),
            h3("What to bring"),
            ul("Your health card and extended benefits details", "Comfortable clothing",
               "Any imaging reports or surgical notes", "A list of questions"),
            p("""Whatever you call it, the goal is the same: less pain and more confidence in how
            you move."""),
            p("""Physiotherapists in Alberta complete a master's degree and register with a
            provincial college, which sets standards for safe, evidence-based care and
            continuing education."""),
        ),
    ),
    PostSpec(
        slug="acupuncture-vs-dry-needling",
        path="/2026/10/acupuncture-vs-dry-needling/",
        title="Acupuncture and Dry Needling: How Do They Differ?",
        summary="Both use fine needles, but acupuncture and dry needling rest on different ideas. Learn which one suits your pain.",
        **_dates(local(2026, 10, 14, 8, 0)),
        head=Head(title_tag="Acupuncture vs. Dry Needling | Summit Physio"),
        author=KEVIN, categories=("Physiotherapy",), tags=("acupuncture", "dry needling"),
        hero=_hero("acupuncture-needles", "Acupuncture needles in a patient's lower back."),
        body=(
            p("""Acupuncture and dry needling look alike from the outside: a practitioner places
            fine, sterile needles into the skin. The reasoning behind each, and the way the needles
            are chosen, is quite different."""),
            h2("Acupuncture"),
            p("""Acupuncture comes from traditional Chinese medicine and places needles at defined
            points along meridians. Contemporary medical acupuncture explains its effects through the
            nervous system, with needles calming pain signals and encouraging relaxation. Sessions
            often use several needles left in place for fifteen to twenty minutes."""),
            h2("Dry needling"),
            p("""Dry needling is based on Western anatomy. The physiotherapist feels for a tight,
            tender band in a muscle and places a needle directly into it to produce a twitch response
            and release the tension. Needles are usually in for seconds to a few minutes."""),
            _fig("needling-calf", "A physiotherapist needles the calf muscle of a runner.",
                 "Dry needling a tight calf before a return-to-running program."),
            h2("Which should I choose?"),
            ul("Widespread pain, stress or poor sleep: acupuncture may suit you",
               "A specific tight muscle limiting movement: dry needling may suit you",
               "Not sure: your physiotherapist can combine or compare both"),
            p("""Both treatments work best alongside exercise and good habits, and both are covered
            by many extended health plans when provided by a physiotherapist."""),
        ),
    ),
    PostSpec(
        slug="running-injuries-physiotherapy",
        path="/2026/09/running-injuries-physiotherapy/",
        title="Physiotherapy for Running Injuries",
        summary="How physiotherapy treats runner's knee, Achilles pain and shin splints so you can keep running.",
        **_dates(local(2026, 9, 8, 7, 45)),
        sitemap_lastmod=local(2024, 1, 8, 12, 0),
        author=KEVIN, categories=("Running & Sports",), tags=("running", "physio"),
        hero=_hero("runner-knee", "A runner holds the front of his knee on a gravel path."),
        body=(
            p("""Running is simple and cheap, which is why so many of us love it. It is also
            repetitive, and small problems in strength, load or technique can add up to an injury
            that stops you in your tracks."""),
            h2("The most common running injuries"),
            ul("Runner's knee (patellofemoral pain)", "Achilles tendinopathy",
               "Iliotibial band syndrome", "Plantar fasciitis", "Shin splints"),
            h2("What a running assessment looks like"),
            p("""We watch you run on a treadmill, often with video, and test the strength and
            control of your hips, knees and feet. We also ask about your weekly mileage, recent
            changes in shoes or terrain and what you are training for."""),
            _fig("treadmill-gait", "A runner on a treadmill with markers on her knees.",
                 "Video gait analysis shows how the knee tracks with every stride."),
            h2("Treatment that keeps you moving"),
            p("""Most runners do not need to stop completely. We adjust your training load, add
            targeted strength work and, where useful, use manual therapy, taping or dry needling to
            settle pain. The aim is to get you back to the start line stronger than before."""),
            p("""Recovery is faster when you understand your injury. We explain what is
            going on in plain language and give you a clear plan for each week of training."""),
        ),
        audit=("sitemap_lastmod_disagrees", "topic_overlap"),
        seo=("keyword_cannibalisation", "sitemap_lastmod_mismatch"),
        notes="cannibalises running-injury-physiotherapy-guide; sitemap lastmod 2024-01-08",
    ),
    PostSpec(
        slug="pelvic-health-after-pregnancy",
        path="/2026/08/pelvic-health-after-pregnancy/",
        title="Pelvic Health Physiotherapy After Pregnancy",
        summary="Pelvic health physio helps new parents recover from birth, manage leaking and return to exercise safely.",
        **_dates(local(2026, 8, 19, 11, 0)),
        author=RACHEL, categories=("Pelvic Health",), tags=("pelvic floor", "postpartum"),
        hero=_hero("postpartum-exercise", "A new mother does a gentle floor exercise with her baby beside her."),
        body=(
            p("""Pregnancy and birth change the body in big ways. The pelvic floor and abdominal
            muscles stretch to make room for a baby, and they need time and the right exercise to
            recover. A pelvic health physiotherapist guides that recovery."""),
            h2("Common concerns after birth"),
            ul("Leaking with coughing, sneezing or lifting", "A feeling of heaviness in the pelvis",
               "A gap between the abdominal muscles (diastasis recti)", "Pain with intimacy or sitting"),
            h2("When to book"),
            p("""We suggest an assessment around six weeks after birth, or sooner if something does
            not feel right. Your first visit includes a conversation about your pregnancy and
            delivery, a check of your posture and breathing and, with your consent, an internal
            assessment of the pelvic floor muscles."""),
            _fig("diastasis-check", "A physiotherapist checks a woman's abdominal muscles.",
                 "Checking for diastasis recti at a postpartum visit."),
            h2("Returning to exercise"),
            p("""Running, lifting and high-impact classes are all possible after pregnancy. We build
            up to them in stages so the pelvic floor can keep up. Babies are always welcome at your
            appointments."""),
            p("""Pelvic health physiotherapy is also helpful during pregnancy, for back and
            pelvic girdle pain and for preparing the body for labour."""),
        ),
    ),
    PostSpec(
        slug="chiropractic-care-headaches",
        path="/2026/07/chiropractic-care-headaches/",
        title="Chiropractic Care for Tension Headaches",
        summary="How chiropractic adjustments, soft tissue work and posture advice reduce tension headaches.",
        **_dates(local(2026, 7, 2, 9, 0), modified=local(2026, 10, 5, 14, 20)),
        modified_text="Updated on October 5, 2026",
        author=AMELIE, categories=("Chiropractic",), tags=("headaches", "neck pain"),
        hero=_hero("chiro-neck", "A chiropractor supports a patient's head while assessing the neck."),
        body=(
            p("""Tension headaches feel like a tight band around the head and often start in the
            neck and shoulders. Long hours at a screen, stress and poor sleep all make them more
            likely. Chiropractic care targets the joints and muscles that feed into the pain."""),
            h2("How a chiropractor assesses headaches"),
            p("""Your chiropractor will ask about the pattern of your headaches and test the
            movement of your neck and upper back. They will also screen for warning signs that need
            a medical opinion, such as sudden severe headaches or changes in vision."""),
            h2("Treatment options"),
            ul("Gentle spinal adjustments and mobilisation", "Soft tissue release of the neck muscles",
               "Exercises for deep neck strength", "Advice on workstation set-up and breaks"),
            _fig("neck-stretch", "A woman stretches her neck to the side at her desk.",
                 "A simple side-bend stretch to break up long screen sessions."),
            h2("What the research says"),
            p("""Studies suggest that combining manual therapy with exercise reduces how often
            tension headaches occur. We update this article as new evidence appears; this version
            adds advice on screen breaks."""),
            p("""Keep a headache diary for two weeks before your visit. Noting the time,
            triggers and what helped gives your chiropractor valuable clues about the
            pattern."""),
        ),
        notes="updated date printed beside the published one",
    ),
    PostSpec(
        slug="tmj-jaw-exercises",
        path="/2026/05/tmj-jaw-exercises/",
        title="Jaw Exercises for TMJ Pain",
        summary="Six simple jaw exercises that ease TMJ pain, clicking and clenching. Our physiotherapists explain how to do each one, how often, and when jaw pain needs a professional assessment instead of home care.",
        date_text="May 19, 2026",
        published=_P6_JSONLD, published_source=S.JSONLD, published_raw=_P6_JSONLD.isoformat(),
        modified=_P6_JSONLD, modified_source=S.JSONLD, modified_raw=_P6_JSONLD.isoformat(),
        head=Head(byline_datetime=_P6),
        author=KEVIN, categories=("Physiotherapy",), tags=("TMJ", "jaw pain"),
        hero=_hero("jaw-exercise-mirror", "A man practises a jaw exercise in front of a mirror."),
        warnings=(W.DATES_DISAGREE,),
        body=(
            p("""If your jaw clicks, aches after meals or feels tight when you wake up, your
            temporomandibular joint (TMJ) may be overworked. These exercises help the jaw muscles
            relax and the joint move smoothly."""),
            h2("Six exercises for the jaw"),
            ul("Relaxed jaw: tongue on the roof of the mouth, teeth apart, lips closed",
               "Controlled opening: open slowly in a straight line in front of a mirror",
               "Resisted opening: open against gentle pressure from your thumb",
               "Side-to-side glides with a pencil held lightly between the front teeth",
               "Chin tucks to ease the neck muscles that work with the jaw",
               "Gentle massage of the chewing muscles in front of the ear"),
            _fig("jaw-massage", "Fingers massage the masseter muscle in front of the ear.",
                 "Massaging the masseter eases clenching."),
            h2("How often?"),
            p("""Do each exercise five to ten times, two or three times a day. They should feel
            easy. Stop any exercise that increases pain or makes the jaw lock."""),
            h2("When to see a physio"),
            p("""If jaw pain lasts more than a few weeks, if your jaw locks open or closed, or if
            headaches are frequent, book an assessment. TMJ physiotherapy combines these exercises
            with manual therapy and advice tailored to you."""),
        ),
        audit=("dates_disagree",),
        seo=("meta_description_too_long",),
        notes="byline <time> says 2026-05-19, JSON-LD/meta say 2025-05-19",
    ),
    PostSpec(
        slug="mva-physiotherapy-car-accident",
        path="/2026/03/mva-physiotherapy-car-accident/",
        title="MVA Physiotherapy: How We Help You Recover After a Car Accident in St. Albert",
        summary="After a motor vehicle accident, physiotherapy eases whiplash and gets you back to daily life. Here is how MVA rehab works.",
        **_dates(local(2026, 3, 16, 8, 30)),
        head=Head(canonical="/2026/03/car-accident-rehab/"),
        author=KEVIN, categories=("Physiotherapy",), tags=("MVA", "whiplash", "car accident"),
        hero=_hero("whiplash-rehab", "A physiotherapist supports a woman's head during a neck exercise."),
        body=(
            p("""A car accident is stressful even when no one is badly hurt. Whiplash, back pain and
            headaches are common in the days after a collision, and early physiotherapy helps most
            people recover faster."""),
            h2("What is whiplash?"),
            p("""Whiplash is a sprain or strain of the neck caused by the quick back-and-forth
            movement of a collision. Stiffness, pain and headaches usually peak in the first few
            days. Gentle movement is better than a collar for nearly everyone."""),
            h2("MVA rehab in Alberta"),
            p("""Under Alberta's motor vehicle accident injury protocols, you can start physiotherapy,
            chiropractic or massage therapy without a doctor's referral, and we bill your auto
            insurer directly. Your first visit includes forms that start your claim."""),
            _fig("mva-forms", "A patient fills in insurance forms at the clinic desk.",
                 "We help you complete your motor vehicle accident forms."),
            h2("What recovery looks like"),
            ul("Education about what is normal after a collision", "Exercises to restore neck motion",
               "Manual therapy and massage to ease muscle spasm", "A graded return to work and driving"),
            p("""Most people recover well from whiplash within a few weeks to a few months.
            Staying positive, keeping active and returning to normal routines early all help
            the neck heal."""),
        ),
        seo=("canonical_non_200", "title_too_long", "title_too_wide", "h1_too_long",
             "sitemap_non_indexable"),
        notes="canonical points to /2026/03/car-accident-rehab/, which is 404",
    ),
    PostSpec(
        slug="running-injury-physiotherapy-guide",
        path="/2025/09/running-injury-physiotherapy-guide/",
        title="Physiotherapy for Running Injuries: A Guide",
        summary="Our physiotherapists explain how to treat and prevent the most common injuries in runners.",
        date_text="September 9, 2025",
        published=local(2025, 9, 9, 7, 30), published_source=S.JSONLD,
        published_raw=local(2025, 9, 9, 7, 30).isoformat(),
        modified=local(2025, 9, 9, 7, 30), modified_source=S.META,
        modified_raw=local(2025, 9, 9, 7, 30).isoformat(),
        head=Head(jsonld_drop=("dateModified", "author", "image")),
        author=KEVIN, categories=("Running & Sports",), tags=("running",),
        hero=_hero("trail-runner", "A trail runner climbs a hill on a dirt path."),
        body=(
            p("""Roughly half of regular runners are injured each year. Most of those injuries come
            from doing a little too much, a little too soon, and most respond well to a smart plan
            rather than complete rest."""),
            h2("Know your load"),
            p("""Track your weekly minutes or kilometres and avoid big jumps. A new race goal, new
            shoes or a switch to hills all change the load on your legs, even if the distance stays
            the same."""),
            h2("Strength is your best insurance"),
            p("""Calf raises, split squats, step-ups and hip bridges twice a week make tendons and
            muscles more resilient. Runners who strength train are injured less often and recover
            faster when they are."""),
            h2("Signs you should get checked"),
            ul("Pain that changes the way you run", "Pain that is worse the next morning",
               "Swelling, or pain in one small spot on a bone", "Pain that keeps returning"),
            p("""A physiotherapist can help you keep running while the injury settles."""),
            p("""Sleep, nutrition and stress matter too. Tissues adapt to training while you
            rest, so a hard week at work may be the right time to ease off your mileage."""),
        ),
        audit=("topic_overlap",),
        seo=("keyword_cannibalisation", "jsonld_incomplete", "meta_description_duplicate"),
        notes="BlogPosting without dateModified/author/image; shares its meta description with the RMT post",
    ),
    PostSpec(
        slug="registered-massage-therapy-direct-billing",
        path=("/2025/06/what-to-know-about-registered-massage-therapy-rmt-direct-billing-"
              "insurance-coverage-and-booking-your-first-appointment-at-our-clinic/"),
        title="Registered Massage Therapy: Direct Billing and Your First Appointment",
        summary="What to know before your first registered massage therapy visit: coverage, direct billing and booking.",
        **_dates(local(2025, 6, 17, 13, 0)),
        head=Head(og="partial", title_tag="RMT Direct Billing and Your First Visit | Summit Physio",
                  meta_description="Our physiotherapists explain how to treat and prevent the most common injuries in runners."),
        author=TOM, categories=("Massage Therapy",), tags=("RMT", "insurance"),
        hero=_hero("rmt-table", "A massage table prepared with fresh linens."),
        body=(
            p("""Booking your first massage with a registered massage therapist (RMT) raises a few
            practical questions. Here are the answers we give most often at the front desk."""),
            h2("Will my insurance cover it?"),
            p("""Most extended health plans cover massage therapy from a registered therapist. Some
            plans set a yearly dollar limit, others a number of visits, and a few require a doctor's
            note. We direct bill many insurers, so you pay only what your plan does not cover."""),
            h2("What happens at the first visit?"),
            p("""Your RMT will ask about your health history and what you hope to get from massage,
            then check how you move. You will always be draped, and you can ask the therapist to
            change pressure or skip an area at any time."""),
            h3("How long should I book?"),
            p("""Sixty minutes suits most people. Choose ninety minutes if you want several areas
            treated, or thirty minutes for a focused follow-up. Drink water and move gently after your
            massage; mild soreness the next day is normal and passes quickly."""),
        ),
        seo=("url_too_long", "meta_description_duplicate", "og_incomplete", "twitter_card_missing"),
        notes="slug over 115 characters; og:title only",
    ),
    PostSpec(
        slug="return-to-running-after-injury",
        path="/2024/03/return-to-running-after-injury/",
        title="Return to Running After Injury",
        summary="A step-by-step plan to return to running after an injury, from walk-run intervals to your first race.",
        **_dates(local(2024, 3, 12, 9, 0)),
        head=Head(hreflang=(("en", "/2024/03/return-to-running-after-injury/"),
                            ("fr", "/2024/03/physiotherapie-retour-course-a-pied/"))),
        in_sitemap=False,
        author=KEVIN, categories=("Running & Sports",), tags=("running",),
        hero=_hero("walk-run", "A woman alternates walking and jogging on a track."),
        body=(
            p("""Coming back from an injury is exciting and a little nerve-wracking. A gradual,
            structured return protects the healing tissue and your confidence."""),
            h2("Are you ready?"),
            ul("Walking for thirty minutes without pain", "Twenty single-leg calf raises on each side",
               "Hopping on the spot without pain", "No pain the morning after activity"),
            h2("Walk-run intervals"),
            p("""Start with one minute of easy running and two minutes of walking, repeated six to
            eight times, every second day. If you feel fine the next morning, add a little more
            running each session. See the [national running injury guideline](outbound:/guidelines/running)
            our physiotherapists follow for more detail."""),
            _fig("track-intervals", "Runners doing intervals on an outdoor track.",
                 "Walk-run intervals rebuild tolerance step by step."),
            h2("Listen to the next day"),
            p("""Mild soreness that settles within a day is fine. Pain that lingers or changes the
            way you run is a sign to step back. Your physiotherapist can adjust the plan as you go.
            Cette page existe aussi [en français](/2024/03/physiotherapie-retour-course-a-pied/)."""),
            p("""Keep your runs easy and conversational for the first few weeks. Speed work
            and hills come last, once you can run thirty minutes continuously without pain."""),
        ),
        audit=("old_post",),
        seo=("hreflang_no_x_default", "not_in_sitemap"),
        notes="English half of an hreflang pair; left out of the sitemap",
    ),
    PostSpec(
        slug="physiotherapie-retour-course-a-pied",
        path="/2024/03/physiotherapie-retour-course-a-pied/",
        title="Retour à la course",
        summary="Un plan progressif de physiothérapie pour reprendre la course à pied après une blessure, sans douleur.",
        lang="fr",
        **_dates(local(2024, 3, 12, 9, 0), text="12 mars 2024"),
        head=Head(hreflang=(("en", "/2024/03/return-to-running-after-injury/"),
                            ("fr", "/2024/03/physiotherapie-retour-course-a-pied/"))),
        author=AMELIE, categories=("Running & Sports",), tags=("course à pied",),
        hero=_hero("course-piste", "Une femme alterne marche et course sur une piste."),
        body=(
            p("""Reprendre la course après une blessure demande de la patience. La physiothérapie
            vous aide à retrouver la confiance et à protéger les tissus qui guérissent, sans
            réveiller la douleur."""),
            h2("Êtes-vous prêt?"),
            ul("Marcher trente minutes sans douleur", "Vingt montées sur la pointe d'un pied",
               "Sautiller sur place sans douleur", "Aucune douleur le lendemain matin"),
            h2("L'alternance marche-course"),
            p("""Commencez par une minute de course légère et deux minutes de marche, répétées six
            à huit fois, un jour sur deux. Si tout va bien le lendemain, ajoutez un peu de course à
            chaque séance. Votre physiothérapeute ajuste le programme selon vos progrès."""),
            _fig("piste-intervalles", "Des coureurs font des intervalles sur une piste extérieure.",
                 "L'alternance marche-course rebâtit la tolérance pas à pas."),
            h2("Écoutez le lendemain"),
            p("""Une légère raideur qui disparaît en une journée est normale. Une douleur qui
            persiste ou qui change votre foulée est un signe qu'il faut ralentir. Prenez rendez-vous
            avec notre équipe de physiothérapie pour un plan adapté à vos objectifs. This page is
            also [in English](/2024/03/return-to-running-after-injury/)."""),
            p("""Gardez un rythme facile pendant les premières semaines. Les intervalles
            rapides et les côtes viennent en dernier, quand vous courez trente minutes sans
            douleur."""),
        ),
        audit=("old_post",),
        seo=("hreflang_no_x_default",),
        notes="French half of the hreflang pair; <html lang=fr>; byline '12 mars 2024'",
    ),
    PostSpec(
        slug="new-for-2023-shockwave-therapy",
        path="/2023/04/new-for-2023-shockwave-therapy/",
        title="New for 2023! Shockwave Therapy",
        summary="Shockwave therapy is here.",
        **_dates(local(2023, 4, 11, 10, 0)),
        # an SEO plugin's title everywhere in the head (og:title, JSON-LD headline too):
        # the record's title is still the headline on the page
        head=Head(title_tag="Shockwave Therapy | Summit Sports Physiotherapy",
                  social_title="Shockwave Therapy | Summit Sports Physiotherapy"),
        author=KEVIN, categories=("Clinic News",), tags=("shockwave",),
        hero=_hero("shockwave-device", "A shockwave therapy device on a treatment cart."),
        body=(
            p("""New for 2023! We are excited to offer radial shockwave therapy at our St. Albert
            clinic starting this May. Shockwave delivers pulses of sound energy into stubborn
            tendons to kick-start healing."""),
            h2("What does shockwave treat?"),
            ul("Plantar fasciitis", "Achilles and patellar tendinopathy", "Tennis elbow",
               "Calcific shoulder tendinitis"),
            h2("What to expect"),
            p("""A session takes about fifteen minutes. The pulses feel like quick taps and can be
            uncomfortable over the sore spot, but the intensity is adjusted to you. Most people need
            three to five sessions a week apart, combined with exercise."""),
            h2("Introductory offer"),
            p("""To celebrate the launch, the first session is half price for the rest of this
            spring. Call the front desk to book. Shockwave is not suitable during pregnancy or over
            areas with active infection, so your physiotherapist will screen you first. Ask about
            pairing it with a loading program for the best long-term result."""),
            p("""Shockwave is a good option when a tendon has not improved after several
            months of exercise alone. It is not a replacement for strengthening, which
            remains the foundation of tendon rehab."""),
        ),
        audit=("old_post", "past_time_reference"),
        seo=("title_duplicate", "meta_description_too_short"),
        notes="'New for 2023!', 'starting this May'; title tag shared with shockwave-therapy-plantar-fasciitis; "
              "og:title and JSON-LD headline are the SEO title, the h1 the headline",
    ),
    PostSpec(
        slug="shockwave-therapy-plantar-fasciitis",
        path="/2023/02/shockwave-therapy-plantar-fasciitis/",
        title="Shockwave Therapy for Plantar Fasciitis",
        summary="Stubborn heel pain? Learn how shockwave therapy and calf strengthening help plantar fasciitis heal.",
        **_dates(local(2023, 2, 7, 9, 30)),
        head=Head(title_tag="Shockwave Therapy | Summit Sports Physiotherapy", h1=False,
                  canonical="/2023/04/new-for-2023-shockwave-therapy/"),
        author=KEVIN, categories=("Physiotherapy",), tags=("shockwave", "plantar fasciitis"),
        hero=_hero("heel-pain", "A woman rubs the bottom of her heel."),
        body=(
            p("""Plantar fasciitis causes sharp heel pain, especially with the first steps of the
            day. Most cases settle with stretching, strengthening and supportive footwear, but some
            linger for months."""),
            h2("How shockwave helps"),
            p("""Shockwave therapy sends acoustic pulses into the thickened plantar fascia. The
            pulses increase local blood flow and stimulate repair, and they can reduce pain within a
            few sessions."""),
            h2("Pair it with loading"),
            p("""Shockwave works best with a loading program. Heel raises with a towel under the toes
            strengthen the fascia and calf together. Start with three sets of twelve, slowly, every
            second day."""),
            ul("Supportive shoes with a firm heel counter", "Avoid long periods barefoot on hard floors",
               "Roll the foot on a frozen water bottle after a long day"),
            p("""Talk to your physiotherapist about whether shockwave is right for your heel pain and
            how it fits with the rest of your plan."""),
            p("""Most people with plantar fasciitis improve over several months. Patience, a
            steady exercise routine and good footwear matter more than any single treatment."""),
        ),
        audit=("old_post",),
        seo=("title_duplicate", "h1_missing", "canonical_other", "sitemap_non_indexable"),
        notes="no <h1> (headline in a div); canonical points to new-for-2023-shockwave-therapy",
    ),
    PostSpec(
        slug="sciatica-myths",
        path="/2022/10/sciatica-myths/",
        title="Five Myths About Sciatica",
        summary="Bed rest, surgery and scary scans: we bust five common myths about sciatica and back pain.",
        **_dates(local(2022, 10, 18, 9, 0)),
        head=Head(extra_h1="Myth-busting with our chiropractor"),
        author=GREG, categories=("Chiropractic",), tags=("sciatica", "back pain"),
        hero=_hero("sciatica-myths", "Summit Sports Physiotherapy St. Albert"),
        body=(
            p("""Sciatica, pain that runs from the back down the leg, is surrounded by myths that
            make people more afraid and less active than they need to be."""),
            h2("Myth 1: You need bed rest"),
            p("""Staying active within comfort helps the nerve recover faster than lying down."""),
            h4("What to do instead"),
            p("""Take short walks through the day and change positions often."""),
            h2("Myth 2: A scan will show the cause"),
            p("""Disc bulges appear on scans of many people with no pain at all, so images rarely
            change the plan in the first weeks."""),
            _fig("spine-model", "Summit Sports Physiotherapy St. Albert", None),
            h2("Myth 3: Surgery is the only fix"),
            p("""Most sciatica improves within six to twelve weeks with conservative care."""),
            h2("Myth 4 and 5: Rest until it's gone, and it will always come back"),
            p("""Movement is medicine, and recurrences are less likely with a strong, mobile
            back."""),
            _fig("walking-couple", "Summit Sports Physiotherapy St. Albert", None),
            p("""Book a visit with Dr. Greg Lawson, our chiropractor, to get a plan for your
            sciatica."""),
            p("""The most helpful thing you can do is keep moving in ways that feel
            manageable, sleep well and stay connected with the activities you enjoy while
            the nerve settles."""),
        ),
        audit=("old_post", "staff_departed"),
        seo=("h1_multiple", "heading_skip", "img_alt_repeated"),
        notes="a second <h1> in the body; h2 -> h4; three images share one alt; Dr. Greg Lawson has left",
    ),
    PostSpec(
        slug="winter-slips-falls",
        path="/2021/01/winter-slips-falls/",
        title="Preventing Slips and Falls This Winter",
        summary="Ice season tips to keep your balance and protect your wrists, hips and back.",
        **_dates(local(2021, 1, 12, 8, 0)),
        head=Head(title_tag=None, meta_description=None),
        author=GREG, categories=("Physiotherapy",), tags=("balance", "winter"),
        hero=_hero("icy-sidewalk", "Boots on an icy sidewalk."),
        body=(
            p("""Icy sidewalks send many people to emergency rooms every winter with broken wrists,
            hip injuries and sore backs. A few habits make a big difference."""),
            h2("Walk like a penguin"),
            p("""Keep your feet a little wider apart, point your toes slightly out, bend your knees
            and take short, flat steps. Keep your hands out of your pockets so you can catch
            yourself."""),
            h2("Gear that helps"),
            ul("Boots with deep treads", "Ice grips that slip over your boots",
               "A cane with an ice pick tip", "Salt or grit by the door"),
            h2("Build your balance"),
            p("""Practise standing on one foot while brushing your teeth, and try heel-to-toe
            walking along the kitchen counter. If you have fallen before, a physiotherapist can
            test your balance and design a program for you. Our clinic is open Monday to Friday
            8:00 am to 6:00 pm for balance assessments."""),
            p("""If you do fall, stay still for a moment and check for pain before getting
            up. Roll onto your side, come up onto your hands and knees and use something
            sturdy to stand."""),
        ),
        audit=("old_post", "stale_hours"),
        seo=("title_missing", "meta_description_missing", "og_incomplete"),
        notes="no <title>, no meta description; old opening hours in the body",
    ),
    PostSpec(
        slug="concussion-baseline-testing",
        path="/2019/08/concussion-baseline-testing/",
        title="Why Young Athletes Need Concussion Baseline Testing",
        summary="Baseline testing before the season makes concussion recovery safer and return-to-play decisions clearer.",
        **_dates(local(2019, 8, 27, 9, 0)),
        head=Head(robots="noindex, follow",
                  title_tag="Concussion Baseline Testing | Summit Physio"),
        author=GREG, categories=("Running & Sports",), tags=("concussion",),
        hero=_hero("baseline-test", "A teenager completes a balance test on a foam pad."),
        body=(
            p("""A baseline test measures an athlete's normal balance, memory, reaction time and
            symptoms before the season starts. If they later hit their head, we compare the new
            results with their own baseline instead of an average."""),
            h2("What the test includes"),
            ul("A symptom checklist", "Balance testing on firm and foam surfaces",
               "Memory and concentration tasks", "Eye movement and neck screening"),
            h2("Who should be tested?"),
            p("""Any athlete in a contact or collision sport, such as hockey, football, soccer,
            rugby or ringette, and anyone with a past concussion. Testing takes about thirty
            minutes and is repeated every one to two years."""),
            quote("""The best time to prepare for a concussion is before it happens."""),
            h2("Book your team"),
            p("""We offer group rates for teams. Call us at (780) 555-0110 to book baseline testing
            before the season starts, and download our
            [return-to-play handout (PDF)](/wp-content/uploads/concussion-return-to-play.pdf)."""),
            p("""Results are stored securely in your athlete's file, and we share them with
            your family doctor if an injury happens during the season."""),
        ),
        audit=("old_post", "stale_phone"),
        seo=("meta_robots_noindex", "sitemap_non_indexable"),
        notes="<meta name=robots content='noindex, follow'>; old phone in the body",
    ),
    PostSpec(
        slug="telehealth-physiotherapy",
        path="/2020/05/telehealth-physiotherapy/",
        title="Telehealth Physiotherapy During the Lockdown",
        summary="Can't come to the clinic? Virtual physiotherapy sessions are now available during the lockdown.",
        **_dates(local(2020, 5, 6, 9, 0)),
        listed=False,
        author=KEVIN, categories=("Clinic News",), tags=("telehealth",),
        hero=_hero("video-call", "A physiotherapist on a video call with a patient at home."),
        body=(
            p("""While our clinic doors are closed during the current lockdown, we are offering
            physiotherapy by secure video call. Virtual sessions are a safe way to keep your recovery
            on track from home."""),
            h2("What can be done by video?"),
            p("""A surprising amount. Your physiotherapist can take your history, watch you move,
            coach your exercises and adjust your program in real time. Many insurers cover
            telehealth physio the same way they cover in-person visits."""),
            h2("How to get ready"),
            ul("A quiet space with room to lie down", "A laptop or tablet propped at floor level",
               "Comfortable clothes", "A chair, a towel and a resistance band if you have one"),
            h2("Coming back to the clinic"),
            p("""We will reopen as soon as public health guidance allows and will share our new
            safety measures here. Until then, stay active, stay home and reach out if you need
            us."""),
            p("""Virtual visits are private and secure. You join from a link we email you,
            with no software to install, and your physiotherapist sends your exercise
            program afterwards."""),
        ),
        audit=("old_post", "past_time_reference"),
        seo=("orphan",),
        notes="in the sitemap, linked from no page",
    ),
]

ROUTES = [
    Route("/2026/03/car-accident-rehab/", "404", "http_404", status=404,
          linked_from="mva-physiotherapy-car-accident (canonical)"),
    Route("/2022/02/knee-replacement-rehab/", "404", "http_404", status=404,
          linked_from="sitemap", notes="listed in post-sitemap.xml, gone"),
    Route("/sitemap.xml", "redirect", None, "/sitemap_index.xml", 301, "", "as Yoast does"),
]

SITE = SiteSpec(
    key="wp", clinic=CLINIC, lang="en", blog_path="/blog/", page_size=5,
    title_suffix=" | Summit Physio", posts=POSTS, routes=ROUTES,
    extra_sitemap_paths=["/2022/02/knee-replacement-rehab/"],
    pdf_path="/wp-content/uploads/concussion-return-to-play.pdf",
    site_audit=("no_references", "no_review_date"),
    site_seo=("sitemap_non_200",),
)
