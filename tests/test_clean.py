"""The cleaner: the shared scraped sample, HTML pages, and properties that hold for any input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.clean import Cleaner, normalize_line, repeated_lines

from .conftest import SHARED_SAMPLE

BODY = [
    "Madrid-based human rights campaigner Safeguard Defenders says it found evidence",
    "Its new release – dubbed “Patrol and Persuade” – focuses on the scale of the network",
    "Beijing has denied it is running undeclared police forces outside its territory",
]
CHROME = [
    "Politics",
    "Powered by Cloudevo",
    "Related articles",
    "Latest Stories",
    "Mattel releases the first Barbie",
    "January 12, 2026",
    "Copyright ©",
    "PERSONAL DATA PROTECTION POLICY",
    "Follow en.protothema.gr",
]


@pytest.fixture(scope="module")
def cleaner(config) -> Cleaner:
    return Cleaner(config)


@pytest.mark.skipif(not SHARED_SAMPLE.exists(), reason="../shared/samples/scraped-article.txt is not present")
def test_shared_sample_keeps_body_and_drops_chrome(cleaner: Cleaner) -> None:
    text = SHARED_SAMPLE.read_text(encoding="utf-8")
    result = cleaner.clean_text(text)
    for fragment in BODY:
        assert fragment in result.text
    for fragment in CHROME:
        assert fragment not in result.text
    assert result.title and result.title.startswith("Investigations into")
    reasons = {b.reason for b in result.removed}
    assert {"story list", "date or byline", "menu or label", "copyright", "title"} <= reasons
    lines = text.split("\n")
    for block in result.removed:  # every removed block points at the lines it came from
        assert normalize_line(lines[block.start_line]) in block.text


PAGE = """Home
World
Sport
Ministers agree new border deal
By Jane Roe
12 March 2026
Ministers from both countries agreed on Tuesday to reopen the border crossing after weeks of talks in the capital.
"We will keep talking," she said.
The agreement still needs the approval of both parliaments before it can take effect next month.
Related articles
Storm hits coast as thousands lose power
Share on Facebook
© 2026 Example News. All rights reserved."""


def test_plain_text_page(cleaner: Cleaner) -> None:
    result = cleaner.clean_text(PAGE)
    kept = result.text.split("\n\n")
    assert kept == [PAGE.split("\n")[i] for i in (6, 7, 8)]
    assert result.title == "Ministers agree new border deal"
    assert result.body_lines == (6, 7, 8)


def test_lines_repeated_across_a_source_are_chrome(cleaner: Cleaner) -> None:
    tagline = "Sign in to keep reading the stories that matter to the valley and beyond today"
    pages = [
        f"{tagline}.\n{PAGE}",
        f"{tagline}.\nOther story\nA different article body sentence that is long enough to count as prose.",
    ]
    repeated = repeated_lines(pages, 2)
    assert normalize_line(f"{tagline}.") in repeated
    result = cleaner.clean_text(pages[0], repeated_lines=repeated)
    assert tagline not in result.text
    assert any(b.reason == "repeated across pages of this source" for b in result.removed)


def test_clean_text_input_is_kept(cleaner: Cleaner) -> None:
    text = (
        "The Federal Cartel Office opened an investigation into the freight platform on Monday.\n\n"
        "The company said it would cooperate fully with the authority."
    )
    assert cleaner.clean_text(text).text == text


def test_html_page(cleaner: Cleaner) -> None:
    html = """<html><head><title>Deal agreed | Example</title></head><body>
    <nav><ul><li>Home</li><li>World</li></ul></nav>
    <article><h1>Deal agreed</h1>
    <p>Ministers from both countries agreed on Tuesday to reopen the border crossing after weeks of talks.</p>
    <p>The agreement still needs the approval of both parliaments before it can take effect next month.</p>
    <p>Share on Facebook</p></article>
    <footer><p>© 2026 Example News. All rights reserved.</p></footer></body></html>"""
    result = cleaner.clean_html(html)
    assert "reopen the border crossing" in result.text and "approval of both parliaments" in result.text
    assert "Share on Facebook" not in result.text and "All rights reserved" not in result.text
    assert any(b.reason == "share" for b in result.removed)
    assert any("footer" in b.reason or "copyright" in b.reason for b in result.removed)


def test_html_without_body(cleaner: Cleaner) -> None:
    assert cleaner.clean_html("<html><head><title>x</title></head></html>").text == ""
    assert cleaner.clean_html("").text == ""


@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=120), max_size=40))
@settings(max_examples=150, deadline=None)
def test_cleaning_never_invents_text(lines: list[str]) -> None:
    from pipeline.config import Config

    from .conftest import ROOT

    cleaner = _CACHE.setdefault("c", Cleaner(Config(ROOT / "configs")))
    text = "\n".join(lines)
    result = cleaner.clean_text(text)
    originals = {normalize_line(line) for line in text.split("\n")}  # a generated element may hold newlines
    for para in result.text.split("\n\n"):
        if para:
            assert normalize_line(para) in originals
    raw_lines = text.split("\n")
    for i in result.body_lines:
        assert raw_lines[i].strip()


_CACHE: dict[str, Cleaner] = {}


def test_line_model_matches_the_features_it_was_trained_on(config) -> None:
    """The committed line model must be retrained (scripts/train_cleaner.py) whenever the features change."""
    import json
    import tomllib
    from pathlib import Path

    from pipeline.clean import Cleaner
    from pipeline.clean_model import BASE_REASONS, FeatureSpace

    cleaner = Cleaner(config)
    assert cleaner.line_model is not None
    data = json.loads(config.path(cleaner.settings["line_model"]).read_text(encoding="utf-8"))
    space = FeatureSpace((*BASE_REASONS, *(name for name, _ in cleaner.cues)))
    assert data["features"] == space.names()
    gold = Path(__file__).resolve().parent.parent / "data" / "boilerplate"
    split = tomllib.loads((gold / "split.toml").read_text(encoding="utf-8"))
    assert len(split["test"]["text"]) >= 13
    assert not set(split["test"]["text"]) & set(data["trained_on"])  # never the test sites


def test_line_model_and_rules_agree_on_a_plain_page(config) -> None:
    from pipeline.clean import Cleaner

    page = "\n".join(
        [
            "Home | World | Business | Sport",
            "Share on Facebook",
            "Ministers agree new sanctions package",
            "The foreign ministers of the union agreed on Monday to freeze the assets of twelve officials "
            "accused of organising the crackdown, diplomats said after the meeting in Brussels.",
            "The measures also ban the export of surveillance equipment and will be reviewed in six months, "
            "according to the text seen by reporters.",
            "",
            "Related articles",
            "Union extends sanctions on shipping firms",
            "© 2026 Example News. All rights reserved.",
        ]
    )
    rules = Cleaner(config, line_model=False).clean_text(page)
    learned = Cleaner(config).clean_text(page)
    assert rules.body_lines == learned.body_lines == (3, 4)
    assert any(b.reason == "copyright" for b in learned.removed)


# Plain-text cleaner, session 3: hard-wrapped text, new cues, and the decisions taken after the line model.


def test_numbered_bullets_need_a_space_so_numbers_survive() -> None:
    assert normalize_line("13.20 CET") == "13.20 CET"
    assert normalize_line("3.5 million people were displaced.") == "3.5 million people were displaced."
    assert normalize_line("2. CEASEFIRE AND SECURITY") == "CEASEFIRE AND SECURITY"
    assert normalize_line("• Two ferry routes will close") == "Two ferry routes will close"


WRAPPED = """DAILY PRESS REVIEW

Truce holds on first night
Both independent dailies report that several mortar rounds landed on the outskirts
of Korun late on Wednesday evening, damaging two houses. Nobody was injured. The
Ruvan Courier quotes residents who say the fire came from army positions to the
north. The army denies firing and blames rebel units testing the ceasefire.

Interior Minister Selim Badr told the paper that security forces had detained 40
foreign nationals in the southern provinces over the past two months, accusing
them of fighting alongside the rebels. He did not give their nationalities."""


def test_hard_wrapped_paragraphs_are_one_block(cleaner: Cleaner) -> None:
    rules = Cleaner(cleaner_config(), line_model=False)
    a = rules.analyse(WRAPPED)
    assert a is not None
    keys = a.keys
    block = next(b for b in a.blocks if keys[b[0]].startswith("Both independent"))
    # "Ruvan Courier quotes ..." starts in upper case but continues the full-width line before it
    assert [keys[j][:12] for j in block] == ["Both indepen", "of Korun lat", "Ruvan Courie", "north. The a"]
    result = cleaner.clean_text(WRAPPED)
    assert "Ruvan Courier quotes residents who say the fire came from army positions to the" in result.text
    assert "them of fighting alongside the rebels. He did not give their nationalities." in result.text


def test_short_lines_are_not_taken_for_hard_wrapping(cleaner: Cleaner) -> None:
    page = "Home\nWorld\nSport\nMinisters agree new border deal\nBy Jane Roe\n12 March 2026"
    a = Cleaner(cleaner_config(), line_model=False).analyse(page)
    assert a is not None and a.blocks == []


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("Mara Teller is a contributing editor at The Lantern Review.", "author_bio"),
        ("Carla Benning covers courts and public safety for the Ledger-Dispatch.", "author_bio"),
        ("Correction, 22 April 2026: An earlier version of this article gave the wrong year.", "correction"),
        ("This article was amended on 17 April 2026 to correct the name of a village.", "correction"),
        ("Already a subscriber? Log in.", "paywall"),
        ("You have reached your limit of free articles this month.", "paywall"),
        ("3 min read", "media"),
        ("Highlights from the cup final (3 min)", "media"),
        ("Ruvan Courier, p. 5", "page_reference"),
        ("Page 2 of 4", "page_reference"),
        ("4. Economy and sanctions .......................................... 3", "contents"),
        ("Building of the ministry in Tirevo. Photo: KNA / Arsen Molchan", "photo_credit"),
        ("7 thoughts on \u201cThe return of the bitterns\u201d", "comments"),
        ("Colin Brace says:", "comments"),
        ("This story was reported in partnership with Sahel Daily.", "source_note"),
        ("SKIP ADVERTISEMENT", "advertisement"),
        ('Cite this publication: Marchetti, S. (2026), "Arms export reports are getting later"', "citation"),
        ("Story continues below advertisement", "advertisement"),
        ("Click here to follow our live updates on the summit", "follow"),
        ("Join our Telegram channel for breaking news and exclusive updates", "follow"),
        ("Never miss an episode. Download the Westmark app for iPhone and Android.", "follow"),
        ("This interview has been edited for length and clarity.", "edited_note"),
        (
            "A still from the video shared online. The logo is visible on the second truck. (Screenshot)",
            "credit",
        ),
        ("Photo from open sources", "credit"),
        ("Keep reading: Two customs officials detained over visa fraud", "teaser"),
        ("This article was translated automatically from Spanish. Read the original.", "edited_note"),
        ("Do you have information about the shadow fleet? Contact us securely.", "tip_line"),
        ("Got a story? Email news@klaxon.example", "tip_line"),
        ("This is a developing story and will be updated.", "developing"),
        ("\u2014 Ruth Anselm MP (@RuthAnselmMP) March 2, 2026", "embed"),
        ("For more information, contact press@ministry.example", "contact"),
        ("Advertisement - Continue Reading Below", "advertisement"),
        ("The views expressed in this article are those of the author and not of the paper.", "disclaimer"),
        ("Disclaimer: This story is auto-generated from a syndicated feed.", "disclaimer"),
        (
            "Note: the border is disputed. Boundaries shown do not imply endorsement by the agency.",
            "disclaimer",
        ),
        (
            "Lifters warm up at the continental championships in 2024. The federation has been under scrutiny "
            "since samples from that event were retested. Photo: Kaspar Lind/Pressfoto",
            "photo_credit",
        ),
        (
            "Read more: Why hospitals have become a target for ransomware gangs. Hospitals cannot afford long "
            "outages, so criminal groups see them as the most likely to pay quickly and quietly.",
            "teaser",
        ),
        ("\U0001f441 15.9K  11:48", "media"),
        ("Do you have an opinion on the issues raised in this article?", "tip_line"),
        ('Quote: "Moldova is a partner we trust."', "pull_quote"),
        ("About sharing", "share"),
        ("Download photo", "share"),
        ("Reporting from Velmora", "byline"),
        ("Defence correspondent", "byline"),
        ("Get in touch", "contact"),
        ("This article is archived and can no longer be edited.", "edited_note"),
        (
            "This article appears in the April 2026 issue of The Meridian Review with the headline "
            '"Someone Should Be Watching", and was updated after the ceasefire collapsed in the first week of May.',
            "edited_note",
        ),
        ("Have an opinion on this story? Share it!", "tip_line"),
        (
            "This is part one of our series on flood recovery. Got a tip? Reach us at tips@lantern.example",
            "tip_line",
        ),
        (
            "Are you affected by today's events? Share your experiences by emailing haveyoursay@mbc.example",
            "tip_line",
        ),
        ("Skip X post by Marit Elvestad", "embed"),
        ("Allow X content? This article contains content provided by X.", "embed"),
        ("Post from @MElvestad_NSC on X, 15:51 BST", "embed"),
        ("Photo - https://mma.presslinewire.example/media/2291044/decks.jpg", "credit"),
        ("Photo taken on March 14, 2025 shows the building of the ministry in the capital.", "credit"),
        ("Image caption, Leaders posed for the family photo on the quayside", "credit"),
        ("Protesters in front of the Congress building on Friday. Image: Luis Benitez.", "photo_credit"),
        ("Stay with WHLW News 5 for updates.", "promo"),
        ("This press release contains forward-looking statements about the company's plans.", "disclaimer"),
        ("Forward-Looking Statements", "disclaimer"),
        ("\U0001f512 Members only", "paywall"),
        ("Become a member", "paywall"),
        ("Join from £4 a month", "paywall"),
        ("Subscribe to keep reading", "follow"),
        ("This article is for Wellhead Wire Premium subscribers.", "paywall"),
        (
            "Rond-Point Pro Digital subscribers can read the full complaint and the register history.",
            "paywall",
        ),
        ("Deals near you: 30% off brake service at Pemberton Tire & Auto", "advertisement"),
        ("Follow the Gulf Meridian on X, Instagram and WhatsApp for the latest news", "follow"),
        ("Netherlands media: Joost van Ell, +31 6 1234 0917, pers@tideline.example", "contact"),
        ("1. Spokespeople are available for interview in English, French and Swahili.", "contact"),
        ("Ayen Lokuji-Farrant is Open Ground's South Sudan correspondent.", "author_bio"),
        ("Site preparation at Chisamba, February 2026. Photo: Lusenga Power Holdings", "photo_credit"),
        (
            "Local news costs money. The Millrace is funded by 2,847 readers who chip in every month, and that "
            "is what keeps our reporters at every council meeting, every court hearing and every planning "
            "committee in the valley.",
            "membership",
        ),
        (
            "A container ship docks at the port of Limassol, Cyprus, January 12, 2026. MERIDIAN WIRE/Andreas "
            "Kyriakou/File Photo Purchase Licensing Rights",
            "photo_credit",
        ),
        (
            "Passengers wait at the ferry terminal in Tallinn, Estonia, on Monday, March 9. Rasmus Tamm/HNN",
            "photo_credit",
        ),
        (
            "Nallakunta lake, where construction is seen along the bund. | Photo Credit: Nagara Gopal",
            "photo_credit",
        ),
        ("HNN's Grace Lim contributed to this report.", "byline"),
        (
            "A version of this article appears in the print edition of The Daily Courier on May 2, 2026.",
            "edited_note",
        ),
        ("jb/rt (AFP, Reuters, dpa)", "credit"),
        ("Crowds outside the court on Tuesday. (Herald file photo)", "credit"),
        ("Play video 02:14", "media"),
        (
            "Tallyboard is funded by readers, not advertisers. If this investigation mattered to you, give.",
            "membership",
        ),
        ("You may republish this article for free under a Creative Commons BY-ND 4.0 licence.", "copyright"),
        ("Download the solidarity poster (PDF, 2 MB) and share a photo of your branch holding it.", "media"),
        (
            "This story aired on All Things Valley. The audio transcript has been edited for clarity.",
            "edited_note",
        ),
        ("◀ Previous | Next ▶ | View all photos", "nav"),
        ("Read our earlier investigation: The warning a development bank chose not to read", "teaser"),
        (
            "Colette Aubuchon hosts Riverbend Morning weekdays from 5 to 9 AM and covers city hall.",
            "author_bio",
        ),
        (
            "4. About Tideline: The Tideline Rights Coalition is an independent campaigning organisation that "
            "holds companies and governments to account for human rights abuses in their supply chains.",
            "disclaimer",
        ),
        ("Support us", "paywall"),
        ("Start your 14-day free trial to unlock our enforcement tracker.", "paywall"),
        ("Register now", "paywall"),
        ("Not a member yet? Members receive every issue of the review.", "paywall"),
        ("Reading time 5 min.", "media"),
        ("Translated from the French by Sarah Oduya", "edited_note"),
        ("Related regulation: Council Implementing Regulation (EU) 2026/311", "teaser"),
        ("WEBINAR · 5 March, 15:00 CET", "promo"),
        ("Figure | Estimated annual cost to the health service under three scenarios", "credit"),
        ("Competing interests: the author has received consultancy fees from the ministry.", "disclaimer"),
    ],
)
def test_new_chrome_cues(cleaner: Cleaner, line: str, reason: str) -> None:
    assert cleaner.cue(line, cleaner.describe(line)) == reason


@pytest.mark.parametrize(
    "line",
    [
        "The report says:",
        "Ana Petrov, a former reporter, said the ministry had ignored the warnings for years.",
        "The minister said the photos showed nothing new.",
        "Prices rose 3.5% in March, the statistics office said.",
        "The interview was conducted in French and has been translated.",
        "The court heard that officers had been told to join the channel and report on colleagues.",
        "For more information, the agency referred reporters to its website.",
        "To contact the families, investigators used a network of volunteers.",
        "Ministry spokesman Ivan Petrov (@IPetrov) said the talks had failed.",
        "This story is developing fast, officials said.",
        "By the terms of the text, the Assembly requested the Secretary-General to:",
        "Next steps",
        "Next week the court will hear the appeal.",
        "The correspondent said the talks had failed.",
        "Have you seen the report?",
        "Stay with us, the minister urged the crowd.",
        "The photo, taken on March 14, shows the burnt vehicle.",
        "Advertisement spending fell by a third after the ban.",
        "A version of the bill was approved by the lower house in March.",
        "The EU/UN mission (in Mali since 2013) said the convoy was attacked on Friday near the border.",
        "Watch the vote at 10:30, the speaker told members.",
        "The regulator said the views expressed by the company were misleading.",
        "Support us, the minister told the assembly, and the reform will pass.",
        "Register now or lose your benefits, the agency warned pensioners.",
        "Related charges were filed against two former directors in March.",
        "Figures published by the ministry show a 12% fall in exports.",
        "The webinar was attended by officials from five ministries.",
        "Translated from the French, the letter accuses the firm of fraud.",
    ],
)
def test_body_lines_that_resemble_the_new_cues(cleaner: Cleaner, line: str) -> None:
    assert cleaner.cue(line, cleaner.describe(line)) is None


@pytest.mark.parametrize(
    "line",
    [
        "Dozens of countries have been asked to sign up to the pact before the summit.",
        "The ministry said it would follow up on the complaint within a week.",
        "The data protection authority said personal data had been leaked.",
        "Print media were banned from the hearing.",
        "More arrests are expected.",
        "Search teams found the bodies.",
        "Comments by the minister drew criticism from the opposition.",
        "The fund will support independent journalism in Moldova.",
        "Video, shared widely online, showed soldiers firing into the crowd.",
        "The report, originally published in 2019, found no evidence of fraud.",
        "John Smith was a correspondent for the agency until 2019, his family said.",
        "The briefing was for members only, a party official said.",
        "Agreement would allow exchange of personal data on organised crime and terrorism",
        "The union said it would become a member of the federation next year.",
        "About 40 people were detained: most were released the next day.",
        "The ministry said the report would be published for members of parliament first.",
        "Follow the money, the prosecutor told the jury.",
        "The media said the talks had failed.",
        "Riverbend will formally become a member on January 1.",
        "The ministry said the full report (PDF) would be published on Monday.",
        "The prices were quoted in dollars and/or euros, the traders said.",
        "The union said the two governments had agreed to share the data. Both sides/parties welcomed it.",
    ],
)
def test_body_sentences_get_no_cue_that_overrules_the_model(cleaner: Cleaner, line: str) -> None:
    """The loose cues these sentences match are weighed by the line model; only precise cues overrule it."""
    from pipeline.clean_model import _HARD_CUES

    assert cleaner.cue(line, cleaner.describe(line)) not in _HARD_CUES


@pytest.mark.parametrize(
    "line",
    [
        "About the authors",
        "How we reported this story",
        "Related stories",
        "Notes to editors",
        "About the Fair Finance Alliance",
        "Useful links",
        "Also on this topic",
        "References",
    ],
)
def test_section_headers(cleaner: Cleaner, line: str) -> None:
    assert cleaner.is_section_header(line, cleaner.describe(line))


def test_a_sentence_is_not_a_section_header(cleaner: Cleaner) -> None:
    line = "More convoys are planned this week."
    assert not cleaner.is_section_header(line, cleaner.describe(line))


def test_long_correction_note_is_chrome(cleaner: Cleaner) -> None:
    note = (
        "Correction, 22 April 2026: An earlier version of this article gave the wrong year for the start of the "
        "broker's contract with the airline and misspelled the name of the airport where the plane was photographed."
    )
    assert cleaner.describe(note).words > cleaner.cue_max_words
    assert cleaner.cue(note, cleaner.describe(note)) == "correction"


def test_a_story_list_header_keeps_its_reason_when_repeated(cleaner: Cleaner) -> None:
    line = "You may also be interested in"
    assert cleaner.score(line, cleaner.describe(line), True)[1] == "story list"


def _analysis(page: str):
    a = Cleaner(cleaner_config(), line_model=False).analyse(page)
    assert a is not None
    return a


def _probs(a, body: set[str]) -> list[float]:
    """0.9 for the lines whose text starts with one of `body`, 0.1 for the others."""
    return [0.9 if any(k.startswith(b) for b in body) else 0.1 for k in a.keys]


SECTIONS = """Port workers vote to strike

1. WHAT HAPPENED

The Dockers' Union said 81 per cent of its members who took part in the ballot backed the strike next week.

2. WHAT THEY SAID

"Nobody is against new machines. We are against being thrown away with the old ones," the union's secretary said.

Most read
1. Heatwave warning for the south as temperatures reach 31C
2. Ferry strike called off after late-night deal"""


def test_numbered_section_headings_are_body_and_numbered_story_lists_are_not() -> None:
    from pipeline.clean_model import decide

    a = _analysis(SECTIONS)
    body = decide(a, _probs(a, {"The Dockers", '"Nobody'}), 0.5)
    kept = {a.keys[j] for j in body}
    assert {"WHAT HAPPENED", "WHAT THEY SAID"} <= kept
    assert "Heatwave warning for the south as temperatures reach 31C" not in kept
    assert "Ferry strike called off after late-night deal" not in kept


def test_in_article_subheading_between_body_paragraphs_is_body() -> None:
    from pipeline.clean_model import decide

    page = (
        "The theatre will close its historic building at the end of this season for repairs that will take two years.\n"
        "What will be repaired\n"
        "The roof, which has leaked into the upper balcony for several winters, will be replaced next spring."
    )
    a = _analysis(page)
    body = decide(a, _probs(a, {"The theatre", "The roof"}), 0.5)
    assert "What will be repaired" in {a.keys[j] for j in body}
    alone = decide(a, _probs(a, {"The roof"}), 0.5)  # no body text before it: not a subheading
    assert "What will be repaired" not in {a.keys[j] for j in alone}


def test_pull_quote_that_repeats_a_paragraph_is_not_body() -> None:
    from pipeline.clean_model import decide

    page = (
        '"People think of evidence as something a detective finds," she told me on the first afternoon. '
        '"Most of ours was filmed by the people who committed the crimes. They were proud of it."\n'
        '"Most of ours was filmed by the people who committed the crimes. They were proud of it."\n'
        "The archive now holds more than forty thousand videos, most of them taken from phones seized at the border."
    )
    a = _analysis(page)
    body = decide(a, [0.9] * len(a.keys), 0.5)
    assert [a.keys[j][:10] for j in sorted(body)] == ['"People th', "The archiv"]


def test_lines_without_letters_are_never_body() -> None:
    from pipeline.clean_model import decide

    page = (
        "Dock workers at the three largest terminals voted on Monday to walk out for 48 hours next week.\n"
        "------------------------------------------------------------\n"
        "-18:04\n"
        "Talks are due to resume on Thursday with a mediator from the national conciliation service."
    )
    a = _analysis(page)
    assert decide(a, [0.9] * len(a.keys), 0.5) == {0, 3}


LISTS = """Freight rates for crude tankers jumped to their highest level in 14 months on Tuesday after new sanctions.

Key takeaways
• Washington and Brussels jointly designated the operator and 31 of its vessels on Friday.
• Spot rates for mid-sized tankers on Baltic routes rose 22% in two trading sessions.

Average day rates for mid-sized tankers, Baltic to Mediterranean:
2 May: $41,200
9 May: $44,900

Shipbrokers said the effect on the market was immediate, and that owners of compliant ships raised rates.

Related:
Port authority names new chief"""


def test_lists_under_a_body_lead_in_are_body() -> None:
    from pipeline.clean_model import _lists, decide

    a = _analysis(LISTS)
    in_list, heads = _lists(a)
    keys = a.keys
    assert [keys[j] for j in range(len(keys)) if heads[j]] == ["Key takeaways"]
    listed = [keys[j] for j in range(len(keys)) if in_list[j]]
    assert [k[:10] for k in listed] == ["Washington", "Spot rates", "2 May: $41", "9 May: $44"]
    lead_in = {"Freight", "Average", "Shipbrokers"}
    body = {keys[j] for j in decide(a, _probs(a, lead_in), 0.5)}
    assert {"2 May: $41,200", "9 May: $44,900"} <= body
    assert "Port authority names new chief" not in body  # "Related:" is a short label, not a lead-in
    # a lead-in the model calls chrome takes its list with it
    assert "2 May: $41,200" not in {keys[j] for j in decide(a, _probs(a, {"Freight", "Shipbrokers"}), 0.5)}


def _kept_when_the_model_says_body(page: str) -> set[str]:
    """The first 12 characters of each body line when the model gives every line 0.9."""
    from pipeline.clean_model import decide

    a = _analysis(page)
    return {a.keys[j][:12] for j in decide(a, [0.9] * len(a.keys), 0.5)}


def test_cue_lines_are_chrome_whatever_the_model_says() -> None:
    page = (
        "Dock workers at the three largest terminals voted on Monday to walk out for 48 hours next week.\n"
        "Story continues below advertisement\n"
        "Talks are due to resume on Thursday with a mediator, and personal data will be kept out of them.\n"
        "Dozens of countries have been asked to sign up to the pact before the summit in June.\n"
        "The union said the stoppage would begin at 6am next Tuesday and affect every terminal."
    )
    body = _kept_when_the_model_says_body(page)
    # soft cues ("personal data" for cookie notices, "sign up" for newsletters) are left to the model
    assert body == {"Dock workers", "Talks are du", "Dozens of co", "The union sa"}


def test_story_list_headers_are_chrome_whatever_the_model_says_but_a_method_note_is_not() -> None:
    page = (
        "Dock workers at the three largest terminals voted on Monday to walk out for 48 hours next week.\n"
        "The union said the stoppage would begin at 6am next Tuesday and affect every terminal.\n"
        "How we did this\n"
        "We read 312 shipping notices filed with the port authority between January and March this year.\n"
        "Related articles\n"
        "Port strike threat grows as talks stall over pay"
    )
    body = _kept_when_the_model_says_body(page)
    assert "How we did t" in body and "Related arti" not in body


def test_wrapped_paragraph_lines_share_one_decision() -> None:
    from pipeline.clean_model import decide

    a = _analysis(WRAPPED)
    block = next(b for b in a.blocks if a.keys[b[0]].startswith("Both independent"))
    probs = [0.1] * len(a.keys)
    for j in block:
        probs[j] = 0.9
    probs[block[-1]] = 0.4  # the mean of the block is still above the threshold
    assert set(block) <= decide(a, probs, 0.5)


# the headline is never a summary bullet nor a row of cells ("Key figures: $412m | 200MW | ...")
_TITLE_PAGES = {
    "bullets": (
        [
            "Markets | Economics | Politics",
            "Central Bank Holds Rate Steady, Signals Cuts Unlikely This Year",
            "- Central bank holds benchmark rate at 4.25% for a fourth meeting",
            "- Governor says services inflation remains too sticky to cut",
            "By Anneli Voss",
            "The central bank kept its main interest rate unchanged on Thursday, as expected by most economists "
            "polled before the meeting.",
            "Governor Lindqvist told reporters that the bank would need to see several more months of falling prices.",
        ],
        "Central Bank Holds Rate Steady, Signals Cuts Unlikely This Year",
    ),
    "cells": (
        [
            "News > Power > Southern Africa",
            "Lenders Line Up Debt For Zambian Solar Plant",
            "By Tendai Mukarakate",
            "9 March 2026",
            "Share: LinkedIn | X | Email | Print",
            "Key points",
            "• Two development banks are mandated lead arrangers on the senior debt for the plant.",
            "• The plant includes a battery and will sell power under a 25-year agreement.",
            "• Financial close is targeted for the second quarter of the year.",
            "Key figures: $412m total cost | 200MW solar PV | 100MWh storage | 25-year PPA",
            "The two banks have been mandated to arrange the senior debt for the plant, people familiar with it said.",
            "The project is being developed by a Lusaka-based independent power producer with a Nordic partner.",
        ],
        "Lenders Line Up Debt For Zambian Solar Plant",
    ),
}


@pytest.mark.parametrize("kind", sorted(_TITLE_PAGES))
def test_the_headline_is_never_a_summary_bullet_or_a_row_of_cells(kind: str) -> None:
    lines, title = _TITLE_PAGES[kind]
    assert _analysis("\n".join(lines)).title == title


def cleaner_config():
    from pipeline.config import Config

    from .conftest import ROOT

    return Config(ROOT / "configs")


def test_a_summary_label_and_its_timeline_are_body() -> None:
    from pipeline.clean_model import decide

    page = (
        "Thousands of people gathered outside the interior ministry on Tuesday, a day after an inquiry cleared "
        "the head of the intelligence directorate.\n"
        "\n"
        "Key moments\n"
        "09:14 Crowds begin to assemble at the square\n"
        "11:30 Riot police form a line at the ministry gates\n"
        "14:10 Police report two arrests\n"
        "\n"
        "The European Commission said it was following developments closely and reminded the government of its "
        "commitments.\n"
        "\n"
        "Most read\n"
        "Ferry strike called off after late-night deal"
    )
    a = _analysis(page)
    body = {a.keys[j] for j in decide(a, _probs(a, {"Thousands", "The European"}), 0.5)}
    assert {
        "Key moments",
        "09:14 Crowds begin to assemble at the square",
        "14:10 Police report two arrests",
    } <= body
    assert "Ferry strike called off after late-night deal" not in body


def test_a_subheading_may_open_a_short_question() -> None:
    from pipeline.clean_model import decide

    page = (
        "The agreement must still be ratified by parliament, which the ministry expects before the end of the year.\n"
        "Questions and answers\n"
        "Q: Who benefits?\n"
        "A: Anyone who has paid contributions in both countries, including people who returned after working abroad."
    )
    a = _analysis(page)
    body = decide(a, _probs(a, {"The agreement", "Q: Who", "A: Anyone"}), 0.5)
    assert "Questions and answers" in {a.keys[j] for j in body}


def test_a_colon_lead_in_reaches_its_list_over_one_blank_line() -> None:
    from pipeline.clean_model import _lists, decide

    page = (
        "The federation was declared non-compliant on Tuesday after investigators found it obstructed testing.\n"
        "\n"
        "The sanctions, which take effect immediately, are:\n"
        "\n"
        "A four-year ban on hosting continental or world championships\n"
        "Exclusion of federation officials from committees\n"
        "\n"
        "\n"
        "Related stories:\n"
        "\n"
        "Three lifters stripped of medals"
    )
    a = _analysis(page)
    in_list, _ = _lists(a)
    assert [a.keys[j][:10] for j in range(len(a.keys)) if in_list[j]] == ["A four-yea", "Exclusion "]
    body = {a.keys[j] for j in decide(a, _probs(a, {"The federation", "The sanctions"}), 0.5)}
    assert "Exclusion of federation officials from committees" in body
    assert "Three lifters stripped of medals" not in body  # "Related stories:" is a label, not a lead-in


def test_standfirst_feature_marks_the_summary_above_the_first_paragraph() -> None:
    from pipeline.clean_model import _standfirsts

    page = (
        "Home | News | Investigations\n"
        "Ministry auditor says she was told to stop asking about the ferry contracts\n"
        "By Jane Roe\n"
        "Eleven years of checking the books, and one question nobody wanted answered\n"
        "For eleven years, the auditor checked the books of the transport ministry and found nothing she could not "
        "explain. Then, in the spring of 2024, she found the ferry contracts and a payment nobody could account for.\n"
        "Related stories"
    )
    a = _analysis(page)
    marked = [a.keys[j][:10] for j in range(len(a.keys)) if _standfirsts(a)[j]]
    assert "Eleven yea" in marked
    assert "By Jane Ro" not in marked and "Home | New" not in marked and "Related st" not in marked


def test_a_list_standing_inside_the_article_is_body() -> None:
    from pipeline.clean_model import decide

    page = (
        "Weightlifter Loses Appeal Against Doping Ban\n"
        "The Court of Arbitration for Sport dismissed the weightlifter's appeal against her four-year ban on Tuesday.\n"
        "The decision in brief\n"
        "Verdict: four-year ban, backdated to 9 November 2025\n"
        "Appeal: dismissed\n"
        "Costs: 20,000 Swiss francs payable by the athlete\n"
        "Her lawyers said they would study the ruling before deciding whether to go to the Swiss federal court.\n"
        "Honours\n"
        "1988: MBE for services to refugee relief\n"
        "1996: commendation from the refugee agency\n"
        "She is survived by two daughters, who asked for donations to the charity in place of flowers.\n"
        "Partners\n"
        "Water Ministry\n"
        "Rotary Club\n"
        "The last was her favourite, she said, because it paid for the first well.\n"
        "Concerned Resident\n"
        "Like · Reply · 5h\n"
        "Mo Aziz\n"
        "Like · Reply · 4h\n"
        "The council will meet again on Thursday to discuss the next steps with the regional authority."
    )
    a = Cleaner(cleaner_config(), line_model=False).analyse(
        page, title="Weightlifter Loses Appeal Against Doping Ban"
    )
    assert a is not None
    paragraphs = {"The Court", "Her lawyers", "She is survived", "The last was", "The council"}
    body = {a.keys[j] for j in decide(a, _probs(a, paragraphs), 0.5)}
    # "Label: value" fact lines and dated items between paragraphs, each with the subheading over them
    assert a.title_j == 0
    assert {
        "The decision in brief",
        "Appeal: dismissed",
        "Honours",
        "1996: commendation from the refugee agency",
    } <= body
    # two bare names are too few for a list of names, and comment widgets ("Like · Reply") are never items
    assert not {"Partners", "Water Ministry", "Concerned Resident", "Like · Reply · 5h"} & body


def test_a_cue_word_inside_running_text_is_a_feature_of_its_own() -> None:
    page = (
        "The regulator fined the retailer on Monday for sending shoppers' locations to advertising companies.\n"
        "A draft decree would ban pre-ticked boxes, cookie walls and tracking pixels in marketing e-mails.\n"
        "The retailer said it would appeal the fine and that its app had always asked for the shoppers' consent.\n"
        "\n"
        "We use cookies to improve your experience. Read our privacy policy."
    )
    a, columns = _feature_columns(page, "cue_in_text")
    flagged = [a.keys[j][:10] for j, value in enumerate(columns["cue_in_text"]) if value]
    assert flagged == ["A draft de"]


def _feature_columns(page: str, *names: str):
    """The rules' analysis of `page` and, for each named line-model feature, its value on every line."""
    from pipeline.clean_model import BASE_REASONS, FeatureSpace

    cleaner = Cleaner(cleaner_config(), line_model=False)
    a = cleaner.analyse(page)
    assert a is not None
    space = FeatureSpace((*BASE_REASONS, *(name for name, _ in cleaner.cues)))
    rows = space.vectors(a)
    return a, {name: [row[space.names().index(name)] for row in rows] for name in names}


def test_a_table_flattened_to_text_is_body() -> None:
    from pipeline.clean_model import decide

    page = (
        "Donors Cut Pledges To Sahel Fund\n"
        "Home | News | Sport | Weather\n"
        "Fourteen donors pledged $1.38bn at the conference in Brussels on Thursday, short of the $2bn target.\n"
        "Who gave what\n"
        "Source | Amount\n"
        "European Union | 14.0 million\n"
        "Spain | 6.5 million\n"
        "Several donors said the remaining pledges would follow once their parliaments approved budgets.\n"
        "Share | Tweet | Email\n"
        "Print | Save"
    )
    a = Cleaner(cleaner_config(), line_model=False).analyse(page, title="Donors Cut Pledges To Sahel Fund")
    assert a is not None
    body = {a.keys[j] for j in decide(a, _probs(a, {"Fourteen", "Several"}), 0.5)}
    assert {
        "Who gave what",
        "Source | Amount",
        "European Union | 14.0 million",
        "Spain | 6.5 million",
    } <= body
    # a stack of menus holds no figures
    assert not {"Home | News | Sport | Weather", "Share | Tweet | Email", "Print | Save"} & body


def test_on_a_page_without_blank_lines_a_list_ends_where_its_items_change_shape() -> None:
    from pipeline.clean_model import _lists

    page = "\n".join(
        [
            "Aid Donors Freeze Clinic Funding After Audit",
            "The donors suspended payments to the consortium after an audit found missing medicines at clinics.",
            "Under the grant agreements, the donors can:",
            "require independent stock checks at every clinic before payments restart;",
            "recover funds linked to the missing consignments from the lead agency;",
            "or end the grants and re-tender the work to other organisations.",
            "The lead agency says it has already replaced its warehouse manager and ended the transport contract.",
            "Topics: South Sudan · Health · Aid diversion",
            "More from The Aid Money Trail",
            "How a cash-transfer scheme paid people who did not exist",
        ]
    )
    a = _analysis(page)
    in_list, _ = _lists(a)
    assert [a.keys[j][:8] for j in range(len(a.keys)) if in_list[j]] == ["require ", "recover ", "or end t"]


def test_a_run_of_one_word_bullets_without_a_lead_in_is_a_menu() -> None:
    from pipeline.clean_model import _bullet_menus

    page = "\n".join(
        [
            "• Politics",
            "• World",
            "• Diaspora",
            "• Sports",
            "Ministers Agree New Border Checks",
            "Ministers from both countries agreed on Monday to run joint checks at the border crossings.",
            "The agreement was signed by three agencies:",
            "• Customs",
            "• Police",
            "• Coast Guard",
            "The checks start next month, the interior ministry said in a statement after the meeting.",
        ]
    )
    a = _analysis(page)
    assert sorted(a.keys[j] for j in _bullet_menus(a)) == ["Diaspora", "Politics", "Sports", "World"]


def test_a_standfirst_under_the_headline_stays_in_the_body() -> None:
    page = "\n".join(
        [
            "Home",
            "World News",
            "Charity chief spent flood aid on a racehorse, court told",
            "Donors who gave to the appeal say they feel betrayed by the trust",
            "By Kerry Dane, Chief Reporter",
            "07:42, Tue, Mar 10, 2026",
            "A charity chief accused of spending money meant for flood victims on a racehorse went on trial on Monday.",
            "Prosecutors told the jury that the trust had raised millions after the floods of 2024 and spent little of it.",
            "The trial, expected to last six weeks, continues.",
        ]
    )
    a = _analysis(page)
    assert a.title == "Charity chief spent flood aid on a racehorse, court told"
    assert 3 in a.keep  # the standfirst


def test_the_reported_headline_is_the_longest_headline_line_above_the_body(config) -> None:
    page = "\n".join(
        [
            "Home › World › Africa",
            "World",
            "Court orders release of frozen aid funds to northern health charity",
            "By Amina Bello, Health Correspondent",
            "Updated 14:05 GMT",
            "Nurses at a clinic run by the charity in Kano",
            "A regional court on Tuesday ordered the government to unfreeze the accounts of a health charity that "
            "runs 40 clinics in the north, ruling that the freeze had no basis in law.",
            "The charity said it had been unable to pay its nurses for three months and had closed eleven clinics.",
            "The government said it would study the ruling before deciding whether to appeal it.",
            "Lawyers for the charity said the ruling would be binding on every member state of the regional bloc.",
            "Share this article",
            "Related articles",
            "Nigeria's health budget rises by a fifth",
        ]
    )
    result = Cleaner(config).clean_text(page)
    assert result.title == "Court orders release of frozen aid funds to northern health charity"
    assert "Nurses at a clinic" not in result.text and "A regional court" in result.text


def _two_trees() -> dict:
    """Two stumps on features 0 and 1 of a three-feature space, and a tree that is only a leaf."""
    return {
        "base": -0.5,
        "feature": [[0, 0, 0], [1, 0, 0], [0]],
        "threshold": [[0.5, 0.0, 0.0], [2.0, 0.0, 0.0], [0.0]],
        "left": [[1, 0, 0], [1, 0, 0], [0]],
        "right": [[2, 0, 0], [2, 0, 0], [0]],
        "value": [[0.0, -1.0, 2.0], [0.0, 0.25, -0.75], [0.1]],
        "leaf": [[False, True, True], [False, True, True], [True]],
    }


def test_boosted_trees_add_their_leaves_to_the_base_log_odds() -> None:
    import numpy as np

    from pipeline.clean_model import Trees

    trees = Trees.from_json(_two_trees(), 3)
    x = np.array([[0.0, 1.0, 9.0], [1.0, 1.0, 9.0], [1.0, 3.0, 9.0], [0.5, 2.0, 9.0]])
    # row 0: left (-1), left (+0.25); row 1: right (+2), left; row 2: right, right (-0.75); row 3: ties go left
    expected = [-0.5 - 1 + 0.25 + 0.1, -0.5 + 2 + 0.25 + 0.1, -0.5 + 2 - 0.75 + 0.1, -0.5 - 1 + 0.25 + 0.1]
    assert np.allclose(trees.log_odds(x), expected)
    assert trees.log_odds(np.zeros((0, 3))).shape == (0,)


def test_a_tree_model_that_does_not_fit_its_feature_space_is_a_config_error(tmp_path) -> None:
    import json

    from pipeline.clean_model import BASE_REASONS, FeatureSpace, LineModel
    from pipeline.errors import ConfigError

    space = FeatureSpace(BASE_REASONS)
    model = {"reasons": list(BASE_REASONS), "threshold": 0.5, "trees": _two_trees()}
    path = tmp_path / "model.json"
    path.write_text(json.dumps(model), encoding="utf-8")
    assert LineModel.load(path).trees is not None
    model["trees"]["feature"][0][0] = len(space.names())  # a split on a feature past the end
    path.write_text(json.dumps(model), encoding="utf-8")
    with pytest.raises(ConfigError, match="feature"):
        LineModel.load(path)
    model["trees"]["feature"][0][0] = 0
    model["trees"]["value"].pop()  # one tree short in one of the arrays
    path.write_text(json.dumps(model), encoding="utf-8")
    with pytest.raises(ConfigError, match="different lengths"):
        LineModel.load(path)
    del model["trees"]["leaf"]
    path.write_text(json.dumps(model), encoding="utf-8")
    with pytest.raises(ConfigError):
        LineModel.load(path)


def test_exported_trees_give_scikit_learns_probabilities() -> None:
    """scripts/train_cleaner.py reads scikit-learn's fitted trees from private attributes; this catches a change."""
    import importlib.util
    from pathlib import Path

    import numpy as np

    script = Path(__file__).resolve().parent.parent / "scripts" / "train_cleaner.py"
    spec = importlib.util.spec_from_file_location("train_cleaner", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rng = np.random.default_rng(0)
    x = rng.integers(0, 4, size=(400, 5)).astype(float)
    y = ((x[:, 0] + x[:, 1] * (x[:, 2] > 1) + rng.normal(0, 0.5, 400)) > 2).astype(float)
    trees = module.fit_trees(x, y)  # raises SystemExit when its own check fails
    probs = module.trees_scorer(trees, 5)(x)
    assert probs.shape == (400,) and ((probs > 0.5) == (y == 1)).mean() > 0.8


def test_a_short_repeated_line_is_chrome_but_a_repeated_paragraph_is_left_to_the_model() -> None:
    """Template lines a source repeats are vetoed (unless they open body text like an in-article heading); a
    paragraph it repeats (a syndicated or updated story) is left to the model."""
    from pipeline.clean import normalize_line
    from pipeline.clean_model import decide

    paragraph = (
        "The port authority said the consortium had been paid in full for work that was only two-thirds done."
    )
    page = (
        "Judges ordered the consortium to repay 12 million soles to the port authority on Friday afternoon.\n"
        f"{paragraph}\n"
        "The consortium said it would appeal, and that silt had refilled the channel after heavy rains.\n"
        "Add to your selection"
    )
    a = Cleaner(cleaner_config(), line_model=False).analyse(
        page, repeated_lines=frozenset({normalize_line("Add to your selection"), normalize_line(paragraph)})
    )
    body = {a.keys[j][:12] for j in decide(a, [0.9] * len(a.keys), 0.5)}
    assert body == {"Judges order", "The port aut", "The consorti"}


def test_three_field_lines_together_are_a_data_box() -> None:
    page = (
        "The regulator fined the operator 4 million euros on Monday for failing to report two outages in 2025.\n"
        "Capacity: 10 mtpa (two trains)\n"
        "Operator: Aurelia Gas (45%)\n"
        "Status: under construction\n"
        "The operator said it would contest the fine in court and that both outages had been reported on time.\n"
        "Q: Who pays for the repairs?\n"
        "The ministry said the state would not cover the cost of any repairs to the terminal this year."
    )
    _, columns = _feature_columns(page, "field", "field_run")
    assert columns["field"] == [0, 1, 1, 1, 0, 1, 0]
    assert columns["field_run"] == [0, 1, 1, 1, 0, 0, 0]  # a lone "Q: ..." line is a field line but no box
