"""Riverbend Physiotherapy: a site-builder blog (Duda/Wix-like).

Dates only as visible text, image captions only as alt text, a recent-posts widget on
every post, ?page=N pagination with only an "Older posts" link, no JSON-LD, no canonical.
"""

from crawler.records import DateSource as S
from crawler.records import WarningKind as W
from sample_site.model import (
    Clinic, DeadCard, Head, ImageSpec, PostSpec, RelativeDate, Route, SiteSpec, StaffMember,
    day, h2, h3, img, ol, p, ul,
)

CLINIC = Clinic(
    name="Riverbend Physiotherapy & Wellness",
    phone="(780) 555-0142",
    address="4410 97 Street NW, Unit 120, Edmonton, AB T6E 5R9",
    hours=("Monday–Friday 7:00 am – 8:00 pm", "Saturday 9:00 am – 3:00 pm", "Sunday Closed"),
    email="hello@riverbendphysio.example",
    staff=(
        StaffMember("Priya Raman", "Physiotherapist, Clinic Director"),
        StaffMember("Daniel Okafor", "Physiotherapist, Dry Needling"),
        StaffMember("Jenna Kowalski", "Pediatric Physiotherapist"),
        StaffMember("Marcus Chen", "Registered Massage Therapist (RMT)"),
    ),
    copyright_year=2026,
    old_phones=("(780) 555-0187",),
    old_addresses=("10123 82 Avenue NW",),
    old_hours=("Monday to Friday, 9 am to 5 pm",),
    former_staff=("Sarah Whitlock",),
)


def _hero(name: str, alt: str) -> ImageSpec:
    return ImageSpec(f"/images/{name}.png", alt, None, "hero")


def _text(y: int, m: int, d: int, text: str) -> dict:
    return dict(date_text=text, published=day(y, m, d), published_source=S.TEXT,
                published_raw=text)


# Two posts on one treatment that share most paragraphs: the audit's near-duplicate pair.
_DN_WHAT = p("""Dry needling is a treatment in which a physiotherapist places very thin,
solid needles into tight bands of muscle called trigger points. The needle produces a small
twitch in the muscle, and that twitch is often followed by the knot letting go. Many patients
notice their range of motion improve before they even get off the table.""")
_DN_FEEL = p("""Most people expect it to hurt far more than it does. The needles are much
finer than the ones used for blood tests or vaccines, and the strongest sensation is usually
a brief cramp or ache as the muscle twitches. Any soreness afterwards tends to fade within a
day or two, much like after a hard workout.""")
_DN_WHO = p("""Dry needling is always one part of a wider plan. Your physiotherapist will pair it
with exercise, manual therapy and advice on posture and load, because releasing a trigger
point helps most when the muscle is then strengthened and used well.""")
_DN_LIST = ul("Neck pain and tension headaches", "Low back pain and sciatica",
              "Shoulder pain and rotator cuff irritation", "Tennis elbow",
              "Plantar fasciitis and calf tightness")

POSTS = [
    PostSpec(
        slug="pediatric-physiotherapy-milestones",
        path="/blog/pediatric-physiotherapy-milestones",
        title="Pediatric Physiotherapy and Milestones",
        summary="Learn how pediatric physio helps children crawl, walk, run and play with confidence.",
        date_text="3 days ago", published=RelativeDate(3, "3 days ago"),
        published_source=S.TEXT, published_raw="3 days ago",
        hero=_hero("child-balance-beam", "A young girl walks along a low balance beam while a therapist holds her hand."),
        body=(
            p("""Every child develops at their own pace, but sometimes a parent has a quiet feeling
            that something is not quite right. Maybe your toddler is not yet pulling to stand, or your
            school-aged child trips more than their friends. Pediatric physiotherapy looks at how a
            child moves and helps them build the strength, balance and coordination they need."""),
            h2("What does a pediatric physiotherapist do?"),
            p("""A pediatric physiotherapist, sometimes called a pediatric physical therapist, is
            trained to assess movement in babies, children and teenagers. Sessions look like play:
            obstacle courses, ball games and balance challenges, each chosen to work on a specific
            skill."""),
            h3("Common reasons families visit"),
            ul("Delayed rolling, crawling or walking", "Toe walking", "Flat feet or in-toeing",
               "Low muscle tone", "Recovery after a fracture or sports injury"),
            img("/images/child-ball-play.png", "A therapist rolls a large exercise ball toward a smiling toddler."),
            h2("How parents can help at home"),
            p("""We send every family home with two or three short activities that fit into daily
            routines, such as squatting to pick up toys or walking on different surfaces at the park.
            Little and often works better than long sessions. Our pediatric physio Jenna Kowalski
            sees children of all ages; ask for her when you book."""),
        ),
    ),
    PostSpec(
        slug="dry-needling-chronic-pain",
        path="/blog/dry-needling-chronic-pain",
        title="Dry Needling for Chronic Pain",
        summary="Discover how dry needling can ease chronic pain and help you move more freely.",
        **_text(2026, 10, 28, "October 28, 2026"),
        hero=_hero("dry-needling-back", "A physiotherapist places fine needles along a patient's upper back."),
        body=(
            p("""Living with pain that lingers for months wears on sleep, mood and work. If stretching
            and rest have not been enough, dry needling may help settle the muscles that keep the
            pain going."""),
            h2("What is dry needling?"), _DN_WHAT,
            h2("Does it hurt?"), _DN_FEEL,
            h2("Conditions we treat with dry needling"), _DN_LIST,
            h2("Part of a bigger plan"), _DN_WHO,
            p("""Daniel Okafor leads our dry needling service and holds advanced certification in
            the technique. Call us to find out if it is right for you."""),
        ),
        audit=("near_duplicate",),
        notes="near-duplicate of dry-needling-muscle-tension",
    ),
    PostSpec(
        slug="tmj-jaw-pain-relief",
        path="/blog/tmj-jaw-pain-relief",
        title="TMJ Therapy: Relief for Jaw Pain",
        summary="Explore how physiotherapy treats TMJ disorder, jaw clicking and headaches.",
        **_text(2026, 9, 15, "September 15, 2026"),
        hero=_hero("jaw-assessment", "A therapist gently assesses a woman's jaw movement."),
        body=(
            p("""Your temporomandibular joint, or TMJ, is the hinge in front of each ear that lets you
            talk, chew and yawn. When the joint or the muscles around it are irritated, the result can
            be jaw pain, clicking, locking and headaches that seem to come from nowhere."""),
            h2("Signs of a TMJ disorder"),
            ul("Pain in the jaw, face or temples", "Clicking or popping when you open your mouth",
               "A jaw that feels stuck or tired after meals", "Clenching or grinding at night"),
            h2("How physiotherapy helps the jaw"),
            p("""Treatment starts with a careful look at how your jaw opens and closes, and at your
            neck and posture, which often play a part. We then use gentle joint mobilisation, soft
            tissue release of the chewing muscles and simple exercises to restore smooth, even
            movement."""),
            img("/images/jaw-exercise.png", "A woman practises a controlled jaw opening exercise in front of a mirror."),
            h3("Habits that make a difference"),
            p("""Resting the tongue on the roof of the mouth, keeping the teeth apart during the day
            and taking breaks from gum chewing all reduce strain. Many of our patients also work with
            their dentist on a night guard. Most people notice less jaw pain within a few weeks of
            starting physio."""),
        ),
    ),
    PostSpec(
        slug="massage-therapy-stress-relief",
        path="/blog/massage-therapy-stress-relief",
        title="Registered Massage Therapy for Stress",
        summary="See how an RMT massage lowers stress, eases sore muscles and improves sleep.",
        **_text(2026, 8, 20, "August 20, 2026"),
        hero=_hero("massage-shoulders", "A registered massage therapist works on a client's shoulders."),
        tracking_link=True,
        body=(
            p("""Stress does not stay in the mind. It tightens the shoulders, shortens the breath and
            keeps the body on high alert. A session with a registered massage therapist (RMT) is one
            of the simplest ways to help your nervous system switch off."""),
            h2("What massage does for stress"),
            p("""Slow, rhythmic massage lowers heart rate and muscle tension and encourages the release
            of endorphins, the body's own pain relievers. Many clients tell us they sleep better the
            night after a treatment."""),
            h2("Choosing the right type of massage"),
            ul("Relaxation massage for general stress", "Deep tissue massage for stubborn knots",
               "Myofascial release for tight, restricted areas", "Prenatal massage during pregnancy"),
            img("/images/massage-stones.png", "Smooth massage stones arranged on a folded towel."),
            h3("Coverage and booking"),
            p("""Because our therapists are registered, most extended health plans cover massage
            therapy, and we bill many insurers directly. Marcus Chen, RMT, has evening appointments
            for those who cannot get away during the day. Bring your plan details to your first
            visit and we will take care of the rest."""),
            p("""Regular massage works best as part of a wider routine that includes sleep,
            movement and time outdoors. Even one treatment a month can help you notice where
            you hold tension and learn to let it go."""),
        ),
        notes="linked with utm_source/utm_medium from the listing and the recent-posts widget",
    ),
    PostSpec(
        slug="patient-appreciation-week",
        path="/blog/patient-appreciation-week",
        title="Thank You for Patient Appreciation Week",
        summary="Photos, thanks and highlights from our patient appreciation week at the Riverbend clinic.",
        **_text(2026, 7, 24, "July 24, 2026"),
        hero=_hero("clinic-team-photo", "The Riverbend team smiles in front of the reception desk."),
        head=Head(x_robots_tag="noindex"),
        body=(
            p("""Thank you to everyone who stopped by during patient appreciation week. Our waiting
            room was full of coffee, muffins and good conversation, and our team loved catching up
            with patients we have treated over the years."""),
            h2("Highlights from the week"),
            ul("Free posture screenings with our physiotherapists",
               "Chair massage from our registered massage therapists",
               "A stretching class for desk workers on Wednesday evening",
               "Balance games for kids run by our pediatric physio"),
            p("""We raised money for the local food bank through a raffle, and three lucky winners took
            home gift baskets with a foam roller, a water bottle and a voucher for a massage. Thank you
            to the neighbourhood businesses that donated prizes, and to every patient who bought a
            ticket."""),
            h2("Keep moving with us"),
            p("""We are grateful to be part of this community. If you have a friend or family member
            who could use a hand getting back to the activities they love, we would be glad to meet
            them. Watch this blog and our front desk for news of our next community event."""),
        ),
        seo=("x_robots_noindex", "sitemap_non_indexable"),
        notes="served with X-Robots-Tag: noindex",
    ),
    PostSpec(
        slug="custom-orthotics-heel-pain",
        path="/blog/custom-orthotics-heel-pain",
        title="Custom Orthotics for Heel Pain",
        summary="Discover how custom foot orthotics relieve heel pain and support your arches.",
        **_text(2026, 7, 2, "July 2, 2026"),
        hero=ImageSpec("/images/IMG_2041.png", "IMG_2041.png", None, "hero"),
        body=(
            p("""Heel pain that is worst with your first steps in the morning is often plantar
            fasciitis, an irritation of the thick band of tissue under the foot. Custom orthotics are
            one of the tools we use to take the load off that tissue while it settles."""),
            h2("What makes an orthotic custom?"),
            p("""Store-bought insoles come in a few standard shapes. A custom orthotic is made from a
            3D scan or cast of your own feet, after a physiotherapist has watched you stand, walk and
            run. It is shaped to your arch and adjusted for how your foot actually moves."""),
            img("/images/orthotic-scan.png", None),
            h2("Who benefits from orthotics?"),
            ul("Plantar fasciitis and heel spurs", "Flat feet or very high arches",
               "Shin splints and knee pain in runners", "Bunions and forefoot pain"),
            img("/images/foot-insole.png", "image"),
            img("/images/heel-stretch.png", ""),
            h3("Getting started"),
            p("""Your assessment takes about forty-five minutes and includes gait analysis and a foot
            scan. Orthotics are ready in two to three weeks. To save time, fill in our
            [orthotics intake form (PDF)](/files/orthotics-intake-form.pdf) before your visit. Most
            extended health plans cover custom orthotics with a doctor's note."""),
        ),
        seo=("img_alt_filename", "img_alt_missing", "img_alt_generic", "img_alt_empty"),
        notes="hero alt is a file name, one inline image has no alt, one has alt 'image', one a photo "
              "with an empty alt; links a PDF",
    ),
    PostSpec(
        slug="motor-vehicle-accident-recovery",
        path="/blog/motor-vehicle-accident-recovery",
        title="Recovering After a Motor Vehicle Accident",
        summary="Been in a car accident? Learn the first steps of MVA rehab and how physio helps.",
        **_text(2026, 5, 12, "May 12, 2026"),
        hero=_hero("car-accident-neck", "A man holds his neck beside a car on the side of the road."),
        body=(
            p("""Even a low-speed car accident can leave you with neck pain, headaches and stiffness
            that show up hours or days later. Early, guided movement is one of the best predictors of
            a full recovery after a motor vehicle accident (MVA)."""),
            h2("Your first week after the accident"),
            ol("See a doctor or physiotherapist within a few days, even if the pain is mild.",
               "Report the collision to your insurer and keep every receipt.",
               "Stay gently active; complete rest slows recovery from whiplash."),
            h2("How MVA physiotherapy works in Alberta"),
            p("""Alberta's Diagnostic and Treatment Protocols cover a set number of physiotherapy,
            chiropractic and massage visits for sprains and strains after a collision, and we bill
            the insurer directly. Read the [provincial treatment guideline](outbound:/guidelines/whiplash)
            for details, and our notes on [jaw pain after whiplash](/blog/jaw-pain-tmj) and
            [concussion care](/blog/concussion-tips)."""),
            img("/images/neck-rehab.png", "A physiotherapist guides a patient through a neck rotation exercise."),
            h3("Paperwork and questions"),
            p("""Our [insurance claims guide](/blog/insurance-claims-guide) walks through the forms,
            and the [online booking FAQ](/blog/online-booking-faq) explains how to book your first
            visit. Researchers have studied recovery after whiplash for decades; see the
            [2009 whiplash study](outbound:/old-study), the [task force summary](outbound:/gone-study)
            and the [Canadian whiplash resource](outbound:/moved)."""),
        ),
        audit=("broken_link", "redirected_link"),
        seo=("broken_link", "redirect_chain", "link_redirect"),
        notes="links: 301, 2-hop chain, internal 404, 500, outbound 200/404/410/301",
    ),
    PostSpec(
        slug="concussion-management-young-athletes",
        path="/blog/concussion-management-young-athletes",
        title="Concussion Management for Young Athletes",
        summary="Learn concussion prevention and return-to-play tips for young athletes as spring sports return.",
        **_text(2025, 3, 4, "March 4, 2025"),
        modified=day(2025, 3, 20), modified_source=S.TEXT, modified_raw="March 20, 2025",
        modified_text="Updated March 20, 2025",
        hero=_hero("soccer-header", "Two teenagers jump for a header during a soccer game."),
        body=(
            p("""As spring sports return, our clinic sees more young athletes with head injuries.
            Knowing the signs of a concussion and how to return to play safely protects your child's
            brain and their season."""),
            h2("Recognising a concussion"),
            ul("Headache or pressure in the head", "Dizziness or balance problems",
               "Sensitivity to light or noise", "Feeling foggy, slowed down or emotional"),
            p("""A concussion does not require a loss of consciousness. If you suspect one, remove
            the athlete from play that day and have them assessed."""),
            h2("A step-by-step return to play"),
            p("""Recovery follows a graded plan: relative rest for a day or two, then light aerobic
            exercise, sport-specific drills, non-contact practice, full practice and finally games.
            Each stage lasts at least twenty-four hours without symptoms."""),
            img("/images/concussion-balance.png", "A young hockey player stands on one foot during a balance test."),
            h3("How physio helps"),
            p("""Our physiotherapists test balance, eye movement and neck function, and guide each
            stage of the return. This season we are offering baseline testing for teams before their
            first game."""),
            p("""Parents and coaches play a big part. Keep a simple symptom diary, limit
            screens in the first days and talk with teachers about lighter workloads while
            the brain recovers."""),
        ),
        audit=("past_time_reference",),
        notes="'as spring sports return', 'this season'; updated date printed beside the published one",
    ),
    PostSpec(
        slug="spring-open-house-2024",
        path="/blog/spring-open-house-2024",
        title="Join Our Spring Open House",
        summary="New for 2024! Tour our renovated clinic and meet the team at our upcoming spring open house.",
        **_text(2024, 2, 20, "February 20, 2024"),
        hero=_hero("clinic-gym", "A bright rehab gym with treadmills and exercise mats."),
        body=(
            p("""New for 2024! Our treatment rooms and rehab gym have been renovated, and we would
            love to show you around. Join us at our upcoming open house on March 14, 2024, from 4 pm
            to 7 pm."""),
            h2("What to expect"),
            ul("Tours of the new rehab gym", "Mini posture and balance screenings",
               "Meet our new pelvic health physiotherapist, Sarah Whitlock",
               "Refreshments and door prizes"),
            p("""Sarah Whitlock joins us from Calgary with ten years of experience in pelvic floor
            rehabilitation and will begin seeing patients in April. Families are welcome, and there
            is a play corner for kids."""),
            h2("Can't make it?"),
            p("""If the date does not work for you, call the front desk to arrange a private tour.
            Please note our [holiday hours](/blog/holiday-hours) around Easter. We look forward to
            seeing you in the new space and hearing what you think of the changes."""),
            p("""Parking is free behind the building, and the new entrance has a ramp and
            automatic doors, so the clinic is easier to reach for everyone, including
            strollers and wheelchairs."""),
        ),
        audit=("old_post", "past_time_reference", "staff_departed", "broken_link"),
        seo=("broken_link",),
        notes="'New for 2024!', 'upcoming open house on March 14, 2024'; Sarah Whitlock has left; links a redirect loop",
    ),
    PostSpec(
        slug="dry-needling-muscle-tension",
        path="/blog/dry-needling-muscle-tension",
        title="Dry Needling for Muscle Tension",
        summary="Relieve muscle tension this April with dry needling from our certified physiotherapists at Riverbend.",
        **_text(2025, 4, 4, "April 4, 2025"),
        hero=_hero("dry-needling-shoulder", "Fine needles in the muscles above a patient's shoulder blade."),
        body=(
            p("""Relieve pain effectively this April with dry needling. If tight muscles are holding
            you back from spring activities, this treatment can help them relax."""),
            h2("What is dry needling?"), _DN_WHAT,
            h2("Does it hurt?"), _DN_FEEL,
            h2("Conditions we treat with dry needling"), _DN_LIST,
            h2("Part of a bigger plan"), _DN_WHO,
        ),
        audit=("near_duplicate", "past_time_reference"),
        notes="near-duplicate of dry-needling-chronic-pain; 'this April'",
    ),
    PostSpec(
        slug="sciatica-exercises",
        path="/blog/sciatica-exercises",
        title="Five Gentle Exercises for Sciatica",
        summary="Try five gentle exercises our physiotherapists use to calm sciatic nerve pain.",
        **_text(2025, 1, 22, "January 22, 2025"),
        hero=_hero("sciatica-stretch", "A woman lies on a mat pulling one knee toward her chest."),
        body=(
            p("""Sciatica is pain that travels from the low back or buttock down the leg, usually
            because a nerve root is irritated. It can be sharp, burning or tingling, and it often
            makes sitting miserable. The good news is that most cases improve with time and the
            right movement."""),
            h2("Five exercises to try"),
            ol("Knee to chest: lie on your back and hug one knee gently for twenty seconds.",
               "Pelvic tilts: flatten and arch your low back slowly, ten times.",
               "Nerve glides: sit tall and straighten one knee while lifting your chin.",
               "Press-ups: lie on your stomach and push your upper body up on your hands.",
               "Walking: short, frequent walks keep the nerve moving and the back strong."),
            img("/images/nerve-glide.png", "A man sits on a chair and straightens one leg for a nerve glide."),
            h2("When to see a physiotherapist"),
            p("""Stop any exercise that makes leg pain spread further down the leg. Seek care quickly
            if you notice weakness, numbness in the groin or trouble with bladder control. Otherwise,
            a physiotherapy assessment can find which movements ease your symptoms and build a plan
            that gets you back to work and sport."""),
        ),
    ),
    PostSpec(
        slug="posture-tips-desk-workers",
        path="/blog/Posture_Tips_For_Desk_Workers",
        title="Posture Tips for Desk Workers",
        summary="Simple posture and workstation changes that ease neck and back pain at your desk.",
        **_text(2023, 10, 3, "October 3, 2023"),
        hero=_hero("desk-posture", "A woman adjusts her monitor to eye level at a standing desk."),
        body=(
            p("""Hours at a desk leave many of us with a stiff neck, rounded shoulders and an aching
            low back. Perfect posture is less important than changing position often, but a well set
            up workstation makes good positions easier."""),
            h2("Set up your workstation"),
            ul("Top of the screen at or slightly below eye level",
               "Elbows close to the body and bent to about ninety degrees",
               "Feet flat on the floor or on a footrest", "Chair supporting the curve of your low back"),
            h2("Move every thirty minutes"),
            p("""Set a reminder to stand, walk to refill your water or do a quick stretch. Shoulder
            rolls, chin tucks and standing back bends take less than a minute and undo much of the
            strain of sitting."""),
            img("/images/desk-stretch.png", "A man stretches his arms overhead beside his office chair."),
            h3("Workplace assessments"),
            p("""Our physiotherapists can assess your workstation and suggest changes. Book through
            our [ergonomic assessment page](/blog/ergonomic-assessment)."""),
            p("""Laptops are the hardest to set up well. If you work from one all day, add a
            separate keyboard and mouse and raise the screen on a stand or a stack of books."""),
        ),
        audit=("old_post", "broken_link"),
        seo=("url_uppercase", "url_underscore", "broken_link"),
        notes="uppercase and underscores in the path; links the slow page",
    ),
    PostSpec(
        slug="massage-holiday-special",
        path="/blog/massage-holiday-special",
        title="Holiday Massage Therapy Special",
        summary="Give the gift of massage this season: our holiday massage gift card special is on now.",
        **_text(2023, 11, 28, "November 28, 2023"),
        hero=_hero("gift-card", "A massage gift card tied with a red ribbon."),
        body=(
            p("""Looking for a gift that helps someone unwind? Our registered massage therapists are
            offering sixty-minute massage gift cards for $60 until December 31, 2023, a savings of
            $35 on our regular rate."""),
            h2("How to buy"),
            p("""Call us at (780) 555-0187 or stop by the front desk. Gift cards are valid for one
            year and can be used for relaxation, deep tissue or prenatal massage."""),
            h2("Why massage makes a great gift"),
            ul("Eases holiday stress and tension headaches", "Helps sore muscles after winter sports",
               "Improves sleep during a busy season", "Covered by many extended health plans"),
            p("""Our RMTs have extended evening hours through the holidays so everyone can fit in a
            treatment before the new year. Give the people you love an hour of quiet and relief, and
            treat yourself while you are at it. Gift cards can be mailed or picked up in person,
            wrapped and ready to give."""),
            p("""Not sure which type of massage to choose? Our front desk team can help you
            pick the right length and style for the person on your list."""),
        ),
        audit=("old_post", "past_time_reference", "stale_phone"),
        seo=("deep_page",),
        notes="'$60 until December 31, 2023'; old phone (780) 555-0187 in the body",
    ),
    PostSpec(
        slug="what-to-expect-first-visit",
        path="/blog/what-to-expect-first-visit",
        title="What to Expect at Your First Physio Visit",
        summary="From paperwork to your treatment plan: what happens at a first physiotherapy visit.",
        hero=_hero("reception", "A receptionist greets a patient at the front desk."),
        warnings=(W.NO_DATE,),
        body=(
            p("""Starting physiotherapy can feel like a big step. Knowing what happens at your first
            appointment makes it easier, so here is how a typical first visit at Riverbend goes."""),
            h2("Before you arrive"),
            p("""Wear comfortable clothes that let us see the area that hurts, and bring a list of
            your medications and any imaging reports. Our clinic at 10123 82 Avenue NW has free
            parking behind the building."""),
            h2("The assessment"),
            p("""Your physical therapist will ask how the problem started, what makes it better or
            worse and what you want to get back to doing. Then they will look at how you move, test
            strength and flexibility, and explain what they think is going on."""),
            h2("Your treatment plan"),
            ul("A clear explanation of your diagnosis", "Hands-on treatment if it will help",
               "Two or three exercises to start at home", "A plan for how many visits you may need"),
            p("""Most first visits last about an hour. Bring your questions; we want you to leave
            understanding your body better than when you came in."""),
        ),
        audit=("no_date", "stale_address"),
        seo=("deep_page",),
        notes=("no date in the post itself; the recent-posts widget beside it shows other posts' "
               "dates (one '3 days ago'), none of which is this post's; old street address"),
    ),
    PostSpec(
        slug="pelvic-floor-physiotherapy",
        path="/blog/pelvic-floor-physiotherapy",
        title="Pelvic Floor Physiotherapy: What to Know",
        summary="Pelvic floor physio helps with leaking, pelvic pain and recovery after birth.",
        **_text(2022, 6, 14, "June 14, 2022"),
        teaser_title="Pelvic Floor Physio: Your Questions Answered",
        teaser_date_text="June 4, 2022",
        hero=_hero("pelvic-model", "A physiotherapist points to a model of the pelvis."),
        body=(
            p("""The pelvic floor is a group of muscles that supports the bladder, bowel and uterus.
            Like any muscles, they can be weak, overly tight or poorly coordinated, and the result
            can be leaking, urgency, pelvic pain or pain with intimacy."""),
            h2("Who can benefit?"),
            ul("People who leak when they cough, sneeze or run", "New parents after childbirth",
               "Anyone with pelvic or tailbone pain", "Men after prostate surgery"),
            h2("What happens in a session"),
            p("""Your pelvic health physiotherapist will talk through your symptoms in a private room
            and, with your consent, assess the muscles directly. Treatment includes exercises,
            breathing and relaxation techniques, and advice on daily habits."""),
            h2("It is common, not normal"),
            p("""Leaking and pelvic pain are common, but they are not something you have to live with.
            Many people see real improvement in a few months of focused physio. You do not need a
            referral to book an assessment."""),
            p("""Our private treatment rooms and unhurried appointments give you the time to
            ask questions and feel comfortable with every step of your care."""),
        ),
        audit=("old_post", "teaser_mismatch"),
        seo=("deep_page",),
        notes="listing card shows another title and date (June 4, 2022)",
    ),
    PostSpec(
        slug="shin-splints-runners",
        path="/blog/shin-splints-runners",
        title="Shin Splints in Runners: Causes and Fixes",
        summary="Why shin splints happen to runners and how to train through them safely.",
        **_text(2016, 5, 10, "May 10, 2016"),
        hero=_hero("runner-trail", "A runner on a river valley trail in early morning light."),
        body=(
            p("""Shin splints, or medial tibial stress syndrome, cause aching along the inside of the
            shin bone. They are one of the most common running injuries, especially in people who
            have recently increased their mileage or started running on harder surfaces."""),
            h2("Why they happen"),
            p("""The muscles and bone of the lower leg adapt to running slowly. When training load
            rises faster than they can adapt, the tissue becomes irritated. Worn-out shoes, weak calf
            and hip muscles and running mostly on concrete all add to the load."""),
            h2("What helps"),
            ul("Cut mileage back for a week or two rather than stopping completely",
               "Build calf and hip strength twice a week",
               "Increase weekly distance by no more than about ten percent",
               "Mix in softer surfaces such as trails and tracks"),
            h2("When to get it checked"),
            p("""Pain that is sharp, focused on one spot or present at rest may be a stress fracture
            and needs assessment. A running physiotherapist can look at your training and your
            stride to keep you on the road."""),
        ),
        audit=("old_post",),
        seo=("deep_page",),
        notes="oldest post, only reachable by paging through the listing",
    ),
]

DEAD_CARDS = [
    DeadCard(
        path="/blog/winter-wellness-tips", title="Winter Wellness Tips",
        date_text="December 5, 2023",
        summary="Stay active and injury-free through an Edmonton winter.",
        image_alt="A woman in a parka walks on a snowy path.",
        after_slug="posture-tips-desk-workers",
    ),
]

ROUTES = [
    Route("/blog/jaw-pain-tmj", "redirect", None, "/blog/tmj-jaw-pain-relief", 301,
          "motor-vehicle-accident-recovery", "old post URL moved"),
    Route("/blog/concussion-tips", "redirect", None, "/blog/concussion-2025", 301,
          "motor-vehicle-accident-recovery", "first hop of a 2-hop chain"),
    Route("/blog/concussion-2025", "redirect", None,
          "/blog/concussion-management-young-athletes", 302, "", "second hop"),
    Route("/blog/holiday-hours", "redirect", "redirect_loop", "/blog/holiday-hours-2024", 301,
          "spring-open-house-2024", "loop a -> b -> a"),
    Route("/blog/holiday-hours-2024", "redirect", "redirect_loop", "/blog/holiday-hours", 301, ""),
    Route("/blog/winter-wellness-tips", "404", "http_404", status=404, linked_from="listing"),
    Route("/blog/insurance-claims-guide", "404", "http_404", status=404,
          linked_from="motor-vehicle-accident-recovery"),
    Route("/blog/online-booking-faq", "500", "http_500", status=500,
          linked_from="motor-vehicle-accident-recovery"),
    Route("/blog/ergonomic-assessment", "slow", "timeout", status=200,
          linked_from="posture-tips-desk-workers", notes="answers after slow_seconds"),
]

SITE = SiteSpec(
    key="builder", clinic=CLINIC, lang="en", blog_path="/blog", page_size=4,
    title_suffix=" | Riverbend Physio", posts=POSTS, dead_cards=DEAD_CARDS, routes=ROUTES,
    pdf_path="/files/orthotics-intake-form.pdf",
    site_audit=("no_author", "no_references", "no_review_date"),
    natural_seo=("canonical_missing", "jsonld_missing", "og_missing", "twitter_card_missing"),
    # the last listing page still shows a card for a deleted post
    site_seo=("broken_link",),
)
