#!/usr/bin/env python3
"""Build the name lists and trigger lexicons of the rule-based baseline extractor.

Outputs (all deterministic, sorted, UTF-8, written under ``--out``, default ``configs/``):

``gazetteers/agencies.txt``
    One government-body name per line (AGENCY in ``docs/schema.md``): ministries, police forces,
    armed forces, intelligence services, courts, legislatures, regulators, central banks and the
    organs of intergovernmental organisations.  Sources:

    1. the PETRARCH2 / Phoenix actor dictionaries (MIT licence, Open Event Data Alliance):
       ``Phoenix.Countries.actors.txt`` (named national institutions whose CAMEO code carries a
       government sector: GOV, MIL, COP, SPY, JUD, LEG), ``Phoenix.International.actors.txt``
       (organs of IGOs such as the UN Security Council) and ``Phoenix.agents.txt`` (generic
       agent phrases; only those that are also used as capitalised names, e.g. "Ministry of
       Foreign Affairs", "Supreme Court").  Upper-case, underscore-joined names are converted to
       natural title case ("MINISTRY_OF_FOREIGN_AFFAIRS" -> "Ministry of Foreign Affairs");
       persons, roles ("..._MINISTER", "..._SPOKESMAN"), parties and generic nouns are dropped.
    2. DWIE entity names (GPL-3.0 annotations) with the fine types agency, ministry, army,
       police_org, court, justice_org and governmental_organisation, plus IGO organs, taken ONLY
       from documents flagged ``train`` in ``dwie/official`` and from the dev split
       ``dwie/docred_format/dev_with_fine_types.json`` (itself a subset of official train).
       The DWIE test split is a benchmark and is never read.
    3. A short hand-written seed list (``SEED_AGENCIES``) of well-known bodies, including the
       examples of the schema.

    Only names (facts) are written; no text of the corpora is copied.

``gazetteers/agency_heads.txt``
    Head words / phrases that mark a government body inside a name (``AGENCY_HEADS``).

``triggers.toml``
    Trigger lexicons for the five interaction relations, derived from the CAMEO verb
    dictionaries of PETRARCH2 (``CAMEO.verbpatterns.150430.txt``, falling back to
    ``CAMEO.2.0.txt`` for verbs missing there) through ``CAMEO_CODE_TO_RELATION``, minus the
    ambiguous lemmas of ``DROP_LEMMAS``, plus the hand-written ``EXTRA_VERBS`` / ``EXTRA_PHRASES``.

``countries.toml``
    For every pycountry country (plus Kosovo, XK): preferred news name, aliases that news uses
    (``EXTRA_COUNTRY_ALIASES`` plus pycountry's official/common names) and capital(s)
    (``CAPITALS``; only for sovereign or de-facto states, the baseline reads a capital used as a
    government - "Beijing has denied" - as COUNTRY).

Usage (from the repository root)::

    .venv/bin/python scripts/build_lexicons.py [--data-dir ../shared/data] [--out configs]

Relative paths are resolved against the repository root (the parent of ``scripts/``).
Requires only the standard library and pycountry.
"""

from __future__ import annotations

import argparse
import glob
import json
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pycountry

REPO_ROOT = Path(__file__).resolve().parent.parent

PETRARCH_DICT_DIR = Path("petrarch_cameo/petrarch2/data/dictionaries")
DWIE_OFFICIAL_GLOB = "dwie/official/data/annos/DW_*.json"
DWIE_DEV_FILE = Path("dwie/docred_format/dev_with_fine_types.json")

# =============================================================================================
# Agency gazetteer: hand-reviewed constants
# =============================================================================================

#: Head words / phrases marking a government body inside a name.  Written to
#: ``gazetteers/agency_heads.txt``: the baseline calls an organisation span AGENCY when it
#: contains one of them (case-insensitive, whole words), so words that also head many
#: company, party or NGO names ("Congress", "Intelligence", "Military") are left out here.
AGENCY_HEADS: tuple[str, ...] = (
    "Administration",
    "Agency",
    "Air Force",
    "Armed Forces",
    "Army",
    "Assembly",
    "Attorney General's Office",
    "Authority",
    "Border Guard",
    "Border Police",
    "Bureau",
    "Cabinet",
    "Carabinieri",
    "Central Bank",
    "Chamber of Deputies",
    "Chancellery",
    "Coast Guard",
    "Coastguard",
    "Commission",
    "Constabulary",
    "Consulate",
    "Corps",
    "Council",
    "Court",
    "Customs",
    "Defence Forces",
    "Defense Forces",
    "Department",
    "Directorate",
    "Embassy",
    "Federal Reserve",
    "Gendarmerie",
    "Guard",
    "Guards",
    "High Commission",
    "House of Commons",
    "House of Lords",
    "House of Representatives",
    "Inspectorate",
    "Judiciary",
    "Legislature",
    "Marine Corps",
    "Marines",
    "Ministry",
    "National Guard",
    "Navy",
    "Office",
    "Parliament",
    "Police",
    "Presidency",
    "Procuracy",
    "Procuratorate",
    "Prosecution Service",
    "Prosecutor",
    "Prosecutor's Office",
    "Reserve Bank",
    "Secretariat",
    "Senate",
    "Service",
    "Tribunal",
)

#: Further heads accepted only when reading PETRARCH names, whose entries are already known to
#: be government actors (so "US Congress" or "Inter-Services Intelligence" are safe there).
PETRARCH_EXTRA_HEADS: tuple[str, ...] = ("Congress", "Duma", "Intelligence", "Military")

#: Heads used to recognise an IGO *organ* (as opposed to the IGO as a whole, which is ORG).
IGO_ORGAN_HEADS: frozenset[str] = frozenset(
    {
        "Agency",
        "Assembly",
        "Body",
        "Central Bank",
        "Commission",
        "Committee",
        "Council",
        "Court",
        "Department",
        "Office",
        "Parliament",
        "Secretariat",
        "Tribunal",
    }
)

#: Name prefixes of the IGOs whose organs we accept ("European Commission", "UN Security Council").
IGO_PREFIXES: tuple[str, ...] = (
    "AU ",
    "African Union ",
    "EU ",
    "European ",
    "NATO ",
    "OSCE ",
    "Parliamentary Assembly of ",
    "U.N. ",
    "UN ",
    "UNESCO ",
    "United Nations ",
    "WTO ",
)

#: Names that pass the IGO-organ test but denote a whole IGO, a separate IGO or a non-state body.
IGO_NOT_ORGANS: frozenset[str] = frozenset(
    {
        "European Bank for Reconstruction and Development",
        "European Community",
        "European Council on Foreign Relations",
        "European Space Agency",
        "European Union",
        "European Union Chamber of Commerce in China",
        "European Union Institute for Security Studies",
        "European Commission to the Philippines",
    }
)

#: IGO organs / EU agencies whose names carry no IGO prefix.
IGO_ORGAN_EXTRA: frozenset[str] = frozenset(
    {
        "ECB",
        "Eurojust",
        "Europol",
        "Eurostat",
        "Frontex",
        "ICJ",
        "International Court of Justice",
        "International Criminal Court",
        "Security Council",
        "UNSC",
    }
)

#: Words that make a (PETRARCH) name a person, a role or a non-body (matched on whole tokens).
ROLE_WORDS: frozenset[str] = frozenset(
    {
        "ADVISER",
        "ADVISOR",
        "AGENT",
        "AGENTS",
        "AIDE",
        "AMBASSADOR",
        "ATTORNEY",
        "AUDITOR",
        "BARRISTER",
        "CAPTAIN",
        "CHAIRMAN",
        "CHAIRPERSON",
        "CHAIRWOMAN",
        "CHANCELLOR",
        "CHIEF",
        "COALITION",
        "COMMANDER",
        "COMMISSIONER",
        "CONSTABLE",
        "CONSUL",
        "DELEGATION",
        "DEPUTY",
        "DETECTIVE",
        "DIPLOMAT",
        "DIRECTOR",
        "EMPEROR",
        "ENVOY",
        "EXPERT",
        "FAMILY",
        "GOVERNOR",
        "HEAD",
        "INSPECTOR",
        "INVESTIGATOR",
        "JUDGE",
        "JUSTICES",
        "KING",
        "LAWMAKER",
        "LAWYER",
        "LEADER",
        "MAGISTRATE",
        "MAYOR",
        "MEETING",
        "MEMBER",
        "MINISTER",
        "MINISTERS",
        "MONITOR",
        "MP",
        "OFFICER",
        "OFFICIAL",
        "OFFICIALS",
        "OPERATIVE",
        "PARTY",
        "PEACEKEEPER",
        "PERSONNEL",
        "POLITBURO",
        "PREMIER",
        "PRESIDENT",
        "PRINCE",
        "PROSECUTOR",
        "QUEEN",
        "RAPPORTEUR",
        "REGIME",
        "REPRESENTATIVE",
        "RESIDENT",
        "SECRETARY",
        "SECRETARY-GENERAL",
        "SENATOR",
        "SHERIFF",
        "SOLDIER",
        "SOLDIERS",
        "SPEAKER",
        "SPOKESMAN",
        "SPOKESPERSON",
        "SPOKESWOMAN",
        "STAFFER",
        "TROOP",
        "TROOPS",
        "TRUSTEE",
        "UNDERSECRETARY",
        "WARDEN",
    }
)

#: Tokens that never start an agency name (articles, demonstrative use of generic descriptors).
BAD_FIRST_TOKENS: frozenset[str] = frozenset({"A", "AN", "THE", "ITS", "THEIR"})

#: Single-word names accepted although they carry no head word (proper names of bodies).
SINGLE_WORD_BODIES: frozenset[str] = frozenset(
    {
        "Basij",
        "Bundesbank",
        "Bundesrat",
        "Bundestag",
        "Bundeswehr",
        "Congress",
        "Destatis",
        "Duma",
        "Eurojust",
        "Europol",
        "Eurostat",
        "Frontex",
        "Knesset",
        "Luftwaffe",
        "Mossad",
        "Pentagon",
        "Peshmerga",
        "Rosselkhoznadzor",
        "Shabak",
        "Stasi",
        "Verfassungsschutz",
        "Volkskammer",
        "Wehrmacht",
    }
)

#: Generic words that are not a name when they stand alone ("police", "the ministry").
GENERIC_SINGLE_WORDS: frozenset[str] = frozenset(
    {
        "administration",
        "agency",
        "army",
        "assembly",
        "authority",
        "bureau",
        "cabinet",
        "commission",
        "council",
        "court",
        "customs",
        "defence",
        "defense",
        "department",
        "finance",
        "foreign",
        "government",
        "guard",
        "house",
        "interior",
        "justice",
        "marines",
        "military",
        "ministry",
        "navy",
        "office",
        "parliament",
        "police",
        "senate",
        "service",
        "treasury",
        "tribunal",
    }
)

#: Acronyms too ambiguous in running text to be used as a gazetteer entry.
AMBIGUOUS_ACRONYMS: frozenset[str] = frozenset(
    {
        "ASMA",
        "DNA",
        "DOD",
        "NDA",
        "OAG",
        "PST",
        "SEK",
        "SEKS",
        "SSC",
        "SWAT",
        "UNSCR",
        "SECDEF",
    }
)

#: Short names (< 3 characters) that are well-known acronyms of bodies.
SHORT_NAME_ALLOW: frozenset[str] = frozenset()

#: Multi-word PETRARCH *agent* phrases (generic nouns) that are kept as names.  Generic agent
#: phrases are only accepted when listed here or when they match ``AGENT_NAME_PATTERNS``.
AGENT_NAME_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"^(?:[A-Z][a-z]+ )*Ministry(?: (?:of|for) .+)?$"),
    re.compile(r"^Department (?:of|for) .+$"),
    re.compile(
        r"^(?:Supreme|Constitutional|High|Federal Supreme|Federal|Appeals|Superior|"
        r"Anti-Terrorism|Anti-Graft|Military|Shariah|Sharia) Court$"
    ),
    re.compile(r"^Court of (?:Appeals|Auditors|Chancery)$"),
    re.compile(r"^(?:National|Federal|Criminal|Border Patrol|Military) Police$"),
    re.compile(
        r"^(?:Central Election|Election|Electoral|National Electoral|Election Complaints|"
        r"Human Rights|Planning|Privatization|Public Service|Securities and Exchange|"
        r"Anti-Graft) Commission$"
    ),
    re.compile(
        r"^(?:National Security|Privy|Federation|Constitutional|Legislative|"
        r"Federal Executive|Federal Legislative|Federal National|State Security) Council$"
    ),
    re.compile(r"^Council of (?:Ministers|State|Judges)$"),
    re.compile(r"^(?:National|General|Constituent|Legislative|People's|State) Assembly$"),
    re.compile(r"^House of (?:Representatives|Commons|Councillors|Assembly)$"),
    re.compile(r"^(?:Chamber of Deputies|State Duma|Senate of the Republic|Federal Chancellery)$"),
    re.compile(r"^(?:Foreign|Information|Patent) Office$"),
    re.compile(
        r"^(?:Public Security|Intelligence|National Intelligence|Central Intelligence|"
        r"Religious Affairs) Bureau$"
    ),
    re.compile(r"^Bureau of Special (?:Investigation|Operations)$"),
    re.compile(r"^(?:Foreign Intelligence|National Security|Intelligence) Service$"),
    re.compile(
        r"^(?:Armed Forces|Air Force|Coast Guard|National Guard|Border Guard|"
        r"Army National Guard|Army Reserve|Army Rangers|Marine Corps|Joint Chiefs of Staff|"
        r"National Gendarmerie|Gendarmerie Nationale)$"
    ),
)

#: Agent phrases whose last token leaves the name unfinished ("Ministry for Foreign").
AGENT_DANGLING_LAST: frozenset[str] = frozenset(
    {
        "CIVIL",
        "FOREIGN",
        "GOVERNMENT",
        "HOME",
        "PROGRESS",
        "STATE",
    }
)

#: Agent phrases that match ``AGENT_NAME_PATTERNS`` but are truncated or not names.
AGENT_NOT_NAMES: frozenset[str] = frozenset(
    {
        "Ministry for Special Affairs",
        "Ministry of Sports Youth",
        "State Ministry",
    }
)

#: Agent-phrase tokens that mark a non-name ("NGO Ministry" is a PETRARCH artefact).
AGENT_BAD_TOKENS: frozenset[str] = frozenset({"NGO", "NGOS"})

#: DWIE names (train/dev) that are not government bodies or are too generic / ambiguous.
DWIE_NOT_AGENCIES: frozenset[str] = frozenset(
    {
        "Aidar",
        "Allied",
        "BFE+",
        "Coalition",
        "Court of Arbitration for Sport",
        "Culture Capital",
        "China National Textile Industry Council",
        "DStGB",
        "Education, Youth and Family",
        "European Capital of Culture",
        "Family Court",
        "Federal Chamber of Pharmacists",
        "Garden Court Chambers",
        "German Association of Cities and Communities",
        "German Consumer Affairs",
        "IDMC",
        "Improvement of Government Services",
        "Institute for Biomedical Problems",
        "Internal Displacement Monitoring Centre",
        "KVB",
        "Law Court",
        "Lower House",
        "NATS",
        "National Air Traffic Service",
        "Norwegian Refugee Council",
        "Special Court",
        "Statistics Office",
        "Centre for North Korea-US Peace",
        "United Front",
        "Ustasha",
    }
)

#: Substrings marking non-governmental bodies that DWIE sometimes types as agencies.
NON_STATE_MARKERS: tuple[str, ...] = ("Red Cross", "Red Crescent", "Chambers")

#: Hand-written seed list of well-known bodies (schema examples and frequent news bodies).
SEED_AGENCIES: tuple[str, ...] = (
    "Australian Federal Police",
    "BKA",
    "Bundesrat",
    "Bundestag",
    "Bundeswehr",
    "Carabinieri",
    "Central Intelligence Agency",
    "CIA",
    "Council of the European Union",
    "Crown Prosecution Service",
    "Cyberspace Administration of China",
    "Department of Homeland Security",
    "Department of Justice",
    "Eurojust",
    "European Central Bank",
    "European Commission",
    "European Council",
    "European Court of Human Rights",
    "European Court of Justice",
    "European Parliament",
    "Europol",
    "FBI",
    "Federal Bureau of Investigation",
    "Federal Communications Commission",
    "Federal Criminal Police Office",
    "Federal Office for the Protection of the Constitution",
    "Federal Security Service",
    "Federal Trade Commission",
    "Food and Drug Administration",
    "Frontex",
    "Guardia Civil",
    "Hellenic Coast Guard",
    "Hellenic Parliament",
    "Hellenic Police",
    "Home Office",
    "House of Commons",
    "House of Lords",
    "House of Representatives",
    "Immigration and Customs Enforcement",
    "International Court of Justice",
    "International Criminal Court",
    "Justice Department",
    "Knesset",
    "Metropolitan Police",
    "MI5",
    "MI6",
    "Ministry of Defence",
    "Ministry of Defense",
    "Ministry of Foreign Affairs",
    "Ministry of Public Security",
    "Ministry of State Security",
    "Ministry of the Interior",
    "Mossad",
    "National Crime Agency",
    "National People's Congress",
    "Office of Foreign Assets Control",
    "Pentagon",
    "People's Liberation Army",
    "Royal Canadian Mounted Police",
    "Securities and Exchange Commission",
    "Shin Bet",
    "State Council",
    "State Department",
    "Supreme Court",
    "Treasury Department",
    "UN General Assembly",
    "UN Human Rights Council",
    "UN Security Council",
    "United Nations Security Council",
    "US Supreme Court",
    "Verfassungsschutz",
)

#: CAMEO sector codes that mark a government body.
GOV_SECTORS: frozenset[str] = frozenset({"GOV", "MIL", "COP", "SPY", "JUD", "LEG"})

#: DWIE fine types mapped to AGENCY (``police`` is left out: it also tags police officers).
DWIE_AGENCY_TYPES: frozenset[str] = frozenset(
    {
        "type::agency",
        "type::ministry",
        "type::army",
        "type::police_org",
        "type::court",
        "type::justice_org",
        "type::governmental_organisation",
    }
)
DWIE_IGO_TYPE = "type::igo"

# --- title-casing of PETRARCH names ----------------------------------------------------------

#: Function words kept lower case inside a name.
LOWER_WORDS: frozenset[str] = frozenset(
    {
        "a",
        "al",
        "an",
        "and",
        "at",
        "by",
        "de",
        "del",
        "der",
        "des",
        "di",
        "du",
        "el",
        "for",
        "in",
        "la",
        "le",
        "of",
        "on",
        "the",
        "to",
        "van",
        "von",
        "with",
    }
)

#: Tokens kept (or made) upper case inside a multi-word name.
ACRONYM_TOKENS: frozenset[str] = frozenset(
    {
        "EU",
        "FBI",
        "GSG",
        "NATO",
        "PLA",
        "U.K.",
        "U.N.",
        "U.S.",
        "UK",
        "UN",
        "US",
        "USA",
    }
)

#: Spelling repairs of PETRARCH tokens (missing apostrophes, typos).
TOKEN_FIXES: dict[str, str] = {
    "COMMUNICATIONA": "Communications",
    "MAJESTYS": "Majesty's",
    "PEOPLES": "People's",
    "PARLAIMENTARY": "Parliamentary",
}

# =============================================================================================
# Trigger lexicons: CAMEO code -> relation, and the hand-reviewed filters
# =============================================================================================

#: CAMEO event-code prefix -> project relation.  The longest matching prefix wins; a value of
#: ``None`` excludes the code (e.g. 03x is only an *intent* to cooperate).
CAMEO_CODE_TO_RELATION: dict[str, str | None] = {
    "03": None,  # express intent to ... (not an event)
    "04": "meets",  # consult: meet, visit, host, phone, negotiate
    "05": "cooperates_with",  # diplomatic cooperation (057 sign formal agreement)
    "06": "cooperates_with",  # material cooperation
    "07": "cooperates_with",  # provide aid
    "09": "coerces",  # investigate
    "111": "alleges",  # criticize or denounce
    "112": "alleges",  # accuse
    "13": "coerces",  # threaten
    "16": "coerces",  # reduce relations (163 impose embargo, boycott or sanctions)
    "17": "coerces",  # coerce (173 arrest/detain, 174 expel/deport)
    "18": "attacks",  # assault
    "19": "attacks",  # fight
    "20": "attacks",  # use unconventional mass violence
}

#: Order used when a lemma maps to several relations (first wins).
RELATION_ORDER: tuple[str, ...] = ("alleges", "coerces", "attacks", "meets", "cooperates_with")

#: CAMEO lemmas dropped per relation: ambiguous in news, or mostly another sense
#: (WordNet synonyms of the CAMEO synsets such as "ponder" under consult).
DROP_LEMMAS: dict[str, frozenset[str]] = {
    "alleges": frozenset(
        {
            "abhor",
            "belittle",
            "brand",
            "charge",
            "chasten",
            "crucify",
            "dress down",
            "jeer",
            "lecture",
            "mock",
            "remonstrate",
            "reprobate",
            "ridicule",
            "savage",
            "scoff",
            "scorn",
            "snub",
        }
    ),
    "meets": frozenset(
        {
            "acquaint",
            "broker",
            "amass",
            "annul",
            "apprise",
            "apprize",
            "approach",
            "arrive",
            "ask for",
            "assemble",
            "attend",
            "brave",
            "buckle",
            "cable",
            "call",
            "cancel",
            "cave",
            "cluster",
            "collapse",
            "come",
            "communicate",
            "communicate with",
            "confront",
            "conglomerate",
            "congregate",
            "conjoin",
            "consider",
            "constellate",
            "contact",
            "contemplate",
            "converge",
            "converse",
            "countermand",
            "crumble",
            "debate",
            "depart",
            "disintegrate",
            "dissolve",
            "egress",
            "elicit",
            "embark",
            "encounter",
            "excogitate",
            "face",
            "find out",
            "flock",
            "fold",
            "gather",
            "get together",
            "give notice",
            "go",
            "go away",
            "go forth",
            "go to",
            "hear",
            "huddle",
            "innovate",
            "insert",
            "interact",
            "introduce",
            "invalidate",
            "invite",
            "join",
            "journey",
            "learn",
            "leave",
            "leave behind",
            "meditate",
            "mull",
            "muse",
            "notify",
            "nullify",
            "overrule",
            "ponder",
            "promulgate",
            "pull out",
            "quash",
            "reason",
            "reconsider",
            "reinvite",
            "renege",
            "repeal",
            "retract",
            "reverse",
            "revoke",
            "ruminate",
            "run into",
            "send word",
            "speak",
            "speculate",
            "subside",
            "summon",
            "think",
            "tour",
            "touring",
            "travel",
            "unite",
            "utter",
            "verbalise",
            "verbalize",
            "void",
            "walk out",
            "weigh",
        }
    ),
    "cooperates_with": frozenset(
        {
            # 050
            "admit",
            "advertise",
            "advertize",
            "affect",
            "associate",
            "bargain",
            "barter",
            "concert",
            "confess",
            "confide",
            "conform",
            "conspire",
            "contrive",
            "correlate",
            "deal",
            "divulge",
            "expose",
            "exuberate",
            "exult",
            "greet",
            "haggle",
            "harmonise",
            "harmonize",
            "impact",
            "influence",
            "integrate",
            "orchestrate",
            "organise",
            "organize",
            "persuade",
            "profess",
            "promote",
            "reinstate",
            "rejoice",
            "reveal",
            "scheme",
            "synchronise",
            "synchronize",
            "tempt",
            "triumph",
            "unionise",
            "unionize",
            "unveil",
            # 051 praise / 054 / 055 apologise / 056 forgive
            "acclaim",
            "admire",
            "affirm",
            "applaud",
            "appreciate",
            "bless",
            "celebrate",
            "cheer",
            "clap",
            "commemorate",
            "commend",
            "compliment",
            "congratulate",
            "embolden",
            "encourage",
            "enliven",
            "esteem",
            "exalt",
            "extol",
            "favor",
            "favour",
            "felicitate",
            "galvanize",
            "glorify",
            "hail",
            "honor",
            "honour",
            "inspire",
            "invigorate",
            "laud",
            "legitimise",
            "legitimize",
            "praise",
            "prefer",
            "prize",
            "reassert",
            "reassure",
            "reckon",
            "recognise",
            "recognize",
            "respect",
            "revitalize",
            "reward",
            "rouse",
            "salute",
            "sanctify",
            "spur",
            "thank",
            "toast",
            "understand",
            "value",
            "welcome",
            "formalize",
            "apologise",
            "apologize",
            "excuse",
            "forgave",
            "forgive",
            "forgiven",
            # 060
            "abate",
            "accord",
            "add",
            "administer",
            "allocate",
            "allot",
            "ameliorate",
            "amplify",
            "appease",
            "apportion",
            "assign",
            "assuage",
            "attach",
            "augment",
            "award",
            "beef up",
            "benefit",
            "bequeath",
            "bestow",
            "better",
            "bind",
            "blend",
            "boost",
            "chain",
            "coalesce",
            "combine",
            "command",
            "compound",
            "conduct",
            "conflate",
            "connect",
            "constitute",
            "control",
            "deepen",
            "dictate",
            "direct",
            "ease",
            "enact",
            "endow",
            "enhance",
            "enjoin",
            "enlarge",
            "enlist",
            "enroll",
            "entrust",
            "escalate",
            "establish",
            "exaggerate",
            "exchange",
            "expand",
            "expediate",
            "facilitate",
            "found",
            "fuse",
            "give",
            "govern",
            "grant",
            "handle",
            "head",
            "heighten",
            "improve",
            "increase",
            "institute",
            "intensify",
            "issue",
            "lead",
            "link",
            "magnify",
            "manage",
            "merge",
            "mitigate",
            "order",
            "oversaw",
            "oversee",
            "prescribe",
            "provide",
            "re-establish",
            "redouble",
            "regulate",
            "relate",
            "rule",
            "serve",
            "simplify",
            "steer",
            "step up",
            "supervise",
            "supervize",
            "swap",
            "task",
            "tie in",
            "trade",
            "unify",
            # 061 / 062 / 07x
            "buy",
            "import",
            "invest",
            "pay",
            "pay for",
            "purchase",
            "sponsor",
            "underwrite",
            "attire",
            "furnish",
            "gear",
            "outfit",
            "render",
            "stock",
            "tender",
            "contribute",
            "interfere",
            "intervene",
            "stabilise",
            "stabilize",
            "step in",
            "rescue",
            "evacuate",
            "defend",
            "guard",
            "look after",
            "protect",
            "safeguard",
            "shield",
            "tend",
            "ward",
            "shelter",
            "extradite",
        }
    ),
    "coerces": frozenset(
        {
            # 090
            "analyse",
            "ascertain",
            "audit",
            "check",
            "comb",
            "dig",
            "examine",
            "explore",
            "glance over",
            "inspect",
            "look over",
            "mine",
            "monitor",
            "rake",
            "re-examine",
            "reexamine",
            "research",
            "scan",
            "scrutinize",
            "search",
            "skim",
            "study",
            "sweep",
            "unearth",
            # 13x
            "caution",
            "endanger",
            "risk",
            "warn",
            # 16x
            "abort",
            "betray",
            "call off",
            "carry",
            "countermine",
            "deceive",
            "deploy",
            "disarray",
            "disassociate",
            "disband",
            "disorder",
            "disrupt",
            "reassign",
            "redeploy",
            "rescind",
            "sabotage",
            "secede",
            "send",
            "ship",
            "shuttle",
            "snitch",
            "transfer",
            "transport",
            "undermine",
            # 170
            "bill",
            "block",
            "cage",
            "compel",
            "constrain",
            "contain",
            "cordon off",
            "curb",
            "enclose",
            "enforce",
            "exclude",
            "force",
            "hold",
            "impel",
            "impose",
            "inflict",
            "levy",
            "crackdown",
            "moderate",
            "ostracise",
            "ostracize",
            "quell",
            "reimpose",
            "reinforce",
            "restrain",
            "restrict",
            "segregate",
            "shun",
            "subdue",
            "vote down",
            "withhold",
            # 171 / 1712
            "appropriate",
            "arrest and",
            "capture",
            "catch",
            "commandeer",
            "extract",
            "grab",
            "hijack",
            "nationalise",
            "nationalize",
            "overturn",
            "pirate",
            "pluck",
            "pull",
            "revolutionise",
            "revolutionize",
            "snatch",
            "steal",
            "subvert",
            "take",
            "take over",
            "usurp",
            "wrest",
            "demolish",
            "vandalise",
            "vandalize",
            # 172 / 173 / 174
            "criminalise",
            "criminalize",
            "disallow",
            "fine",
            "forbid",
            "illegalise",
            "illegalize",
            "interdict",
            "prohibit",
            "tax",
            "veto",
            "confine",
            "beef up",
            "boot out",
            "evict",
            "oust",
            "remove",
        }
    ),
    "attacks": frozenset(
        {
            # 180
            "abuse",
            "bludgeon",
            "bruise",
            "cane",
            "contaminate",
            "corrupt",
            "crack",
            "damage",
            "defend",
            "flog",
            "guard",
            "harm",
            "hurt",
            "impair",
            "kick",
            "kidnapped and killed",
            "lash",
            "look after",
            "mar",
            "mistreat",
            "overthrow",
            "protect",
            "rampage",
            "rip",
            "safeguard",
            "scuffle",
            "shelter",
            "shield",
            "slap",
            "spoil",
            "strangle",
            "suffer",
            "tarnish",
            "tear",
            "tend",
            "vitiate",
            "ward",
            "whip",
            "wrestle",
            "dishonor",
            "dishonour",
            "beat",
            "injured",
            # 190
            "aim",
            "altercate",
            "assail",
            "attacked and stabbed",
            "best",
            "blast",
            "blitz",
            "blow",
            "break",
            "bust",
            "circle",
            "clobber",
            "combat",
            "conflict",
            "crush",
            "decimate",
            "defeat",
            "desolate",
            "despoil",
            "destroy",
            "detonate",
            "devastate",
            "die",
            "disarm",
            "dominate",
            "duel",
            "encircle",
            "engage",
            "eradicate",
            "explode",
            "fight back",
            "fight down",
            "fire",
            "flatten",
            "foray",
            "foray into",
            "grapple",
            "hammer",
            "hang",
            "hit",
            "intrude on",
            "killed and",
            "killed or",
            "master",
            "match",
            "obliterate",
            "overcome",
            "overpower",
            "overshadow",
            "overtake",
            "overwhelm",
            "pelt",
            "pillage",
            "pit",
            "plunder",
            "pound",
            "pummel",
            "quarrel",
            "ram",
            "ransack",
            "ravage",
            "ravish",
            "reave",
            "repel",
            "repulse",
            "ring",
            "ruin",
            "shatter",
            "shot and",
            "siege",
            "skirmish",
            "smash",
            "snipe",
            "square off",
            "stamp out",
            "stone",
            "string up",
            "struggle",
            "subjugate",
            "surmount",
            "surround",
            "target",
            "thump",
            "trample",
            "wipe out",
            "infest",
            "inhabit",
            "reside",
            "dynamite",
            "butcher",
        }
    ),
}

#: Verb lemmas added by hand (not, or not under the right code, in the CAMEO dictionaries).
EXTRA_VERBS: dict[str, tuple[str, ...]] = {
    "alleges": ("allege", "decry", "slam"),
    "meets": ("negotiate",),
    "cooperates_with": ("cooperate", "co-operate", "collaborate", "partner", "sign"),
    "coerces": ("charge", "detain", "interrogate", "repatriate", "sanction", "surveil", "wiretap"),
    "attacks": ("bomb", "shell"),
}

#: Multi-word and noun triggers added by hand (lower case surface forms).
EXTRA_PHRASES: dict[str, tuple[str, ...]] = {
    "alleges": (
        "accusation",
        "accusations",
        "allegation",
        "allegations",
        "condemnation",
        "criticism",
        "denunciation",
        "hit out at",
        "lash out at",
        "lashed out at",
        "pointed the finger at",
    ),
    "meets": (
        "bilateral meeting",
        "consultations",
        "held talks",
        "hold talks",
        "meeting",
        "meet with",
        "met with",
        "negotiations",
        "phone call",
        "state visit",
        "summit",
        "talks",
        "telephone call",
        "visit",
    ),
    "cooperates_with": (
        "accord",
        "agreement",
        "aid",
        "alliance",
        "assistance",
        "cooperation",
        "co-operation",
        "deal",
        "joint",
        "join forces",
        "memorandum of understanding",
        "military aid",
        "pact",
        "partnership",
        "signed a deal",
        "signed an agreement",
        "side with",
        "team up",
        "treaty",
    ),
    "coerces": (
        "arrest",
        "arrests",
        "asset freeze",
        "blockade",
        "crackdown",
        "crack down",
        "deportation",
        "detention",
        "embargo",
        "expulsion",
        "extradition",
        "indictment",
        "investigation",
        "kick out",
        "probe",
        "sanctions",
        "tariffs",
        "travel ban",
        "ultimatum",
    ),
    "attacks": (
        "air strike",
        "air strikes",
        "airstrike",
        "airstrikes",
        "assault",
        "attack",
        "bombardment",
        "bombing",
        "drone strike",
        "gun down",
        "incursion",
        "invasion",
        "missile strike",
        "offensive",
        "opened fire on",
        "shelling",
        "shoot down",
        "strike",
        "strikes",
        "wage war",
    ),
}

# =============================================================================================
# Countries: hand-reviewed facts
# =============================================================================================

#: Capitals (and seats of government) of the 193 UN member states.
UN_MEMBER_CAPITALS: dict[str, tuple[str, ...]] = {
    "AD": ("Andorra la Vella",),
    "AE": ("Abu Dhabi",),
    "AF": ("Kabul",),
    "AG": ("Saint John's", "St. John's"),
    "AL": ("Tirana",),
    "AM": ("Yerevan",),
    "AO": ("Luanda",),
    "AR": ("Buenos Aires",),
    "AT": ("Vienna",),
    "AU": ("Canberra",),
    "AZ": ("Baku",),
    "BA": ("Sarajevo",),
    "BB": ("Bridgetown",),
    "BD": ("Dhaka",),
    "BE": ("Brussels",),
    "BF": ("Ouagadougou",),
    "BG": ("Sofia",),
    "BH": ("Manama",),
    "BI": ("Bujumbura", "Gitega"),
    "BJ": ("Cotonou", "Porto-Novo"),
    "BN": ("Bandar Seri Begawan",),
    "BO": ("La Paz", "Sucre"),
    "BR": ("Brasilia", "Brasília"),
    "BS": ("Nassau",),
    "BT": ("Thimphu",),
    "BW": ("Gaborone",),
    "BY": ("Minsk",),
    "BZ": ("Belmopan",),
    "CA": ("Ottawa",),
    "CD": ("Kinshasa",),
    "CF": ("Bangui",),
    "CG": ("Brazzaville",),
    "CH": ("Bern", "Berne"),
    "CI": ("Abidjan", "Yamoussoukro"),
    "CL": ("Santiago",),
    "CM": ("Yaounde", "Yaoundé"),
    "CN": ("Beijing",),
    "CO": ("Bogota", "Bogotá"),
    "CR": ("San Jose", "San José"),
    "CU": ("Havana",),
    "CV": ("Praia",),
    "CY": ("Nicosia",),
    "CZ": ("Prague",),
    "DE": ("Berlin",),
    "DJ": ("Djibouti",),
    "DK": ("Copenhagen",),
    "DM": ("Roseau",),
    "DO": ("Santo Domingo",),
    "DZ": ("Algiers",),
    "EC": ("Quito",),
    "EE": ("Tallinn",),
    "EG": ("Cairo",),
    "ER": ("Asmara",),
    "ES": ("Madrid",),
    "ET": ("Addis Ababa",),
    "FI": ("Helsinki",),
    "FJ": ("Suva",),
    "FM": ("Palikir",),
    "FR": ("Paris",),
    "GA": ("Libreville",),
    "GB": ("London",),
    "GD": ("Saint George's", "St. George's"),
    "GE": ("Tbilisi",),
    "GH": ("Accra",),
    "GM": ("Banjul",),
    "GN": ("Conakry",),
    "GQ": ("Malabo",),
    "GR": ("Athens",),
    "GT": ("Guatemala City",),
    "GW": ("Bissau",),
    "GY": ("Georgetown",),
    "HN": ("Tegucigalpa",),
    "HR": ("Zagreb",),
    "HT": ("Port-au-Prince",),
    "HU": ("Budapest",),
    "ID": ("Jakarta",),
    "IE": ("Dublin",),
    "IL": ("Jerusalem",),
    "IN": ("New Delhi",),
    "IQ": ("Baghdad",),
    "IR": ("Tehran",),
    "IS": ("Reykjavik", "Reykjavík"),
    "IT": ("Rome",),
    "JM": ("Kingston",),
    "JO": ("Amman",),
    "JP": ("Tokyo",),
    "KE": ("Nairobi",),
    "KG": ("Bishkek",),
    "KH": ("Phnom Penh",),
    "KI": ("South Tarawa", "Tarawa"),
    "KM": ("Moroni",),
    "KN": ("Basseterre",),
    "KP": ("Pyongyang",),
    "KR": ("Seoul",),
    "KW": ("Kuwait City",),
    "KZ": ("Astana",),
    "LA": ("Vientiane",),
    "LB": ("Beirut",),
    "LC": ("Castries",),
    "LI": ("Vaduz",),
    "LK": ("Colombo", "Sri Jayawardenepura Kotte"),
    "LR": ("Monrovia",),
    "LS": ("Maseru",),
    "LT": ("Vilnius",),
    "LU": ("Luxembourg",),
    "LV": ("Riga",),
    "LY": ("Tripoli",),
    "MA": ("Rabat",),
    "MC": ("Monaco",),
    "MD": ("Chisinau", "Chișinău"),
    "ME": ("Podgorica",),
    "MG": ("Antananarivo",),
    "MH": ("Majuro",),
    "MK": ("Skopje",),
    "ML": ("Bamako",),
    "MM": ("Naypyidaw", "Nay Pyi Taw"),
    "MN": ("Ulaanbaatar", "Ulan Bator"),
    "MR": ("Nouakchott",),
    "MT": ("Valletta",),
    "MU": ("Port Louis",),
    "MV": ("Malé",),
    "MW": ("Lilongwe",),
    "MX": ("Mexico City",),
    "MY": ("Kuala Lumpur", "Putrajaya"),
    "MZ": ("Maputo",),
    "NA": ("Windhoek",),
    "NE": ("Niamey",),
    "NG": ("Abuja",),
    "NI": ("Managua",),
    "NL": ("Amsterdam", "The Hague"),
    "NO": ("Oslo",),
    "NP": ("Kathmandu",),
    "NR": ("Yaren",),
    "NZ": ("Wellington",),
    "OM": ("Muscat",),
    "PA": ("Panama City",),
    "PE": ("Lima",),
    "PG": ("Port Moresby",),
    "PH": ("Manila",),
    "PK": ("Islamabad",),
    "PL": ("Warsaw",),
    "PT": ("Lisbon",),
    "PW": ("Ngerulmud",),
    "PY": ("Asuncion", "Asunción"),
    "QA": ("Doha",),
    "RO": ("Bucharest",),
    "RS": ("Belgrade",),
    "RU": ("Moscow",),
    "RW": ("Kigali",),
    "SA": ("Riyadh",),
    "SB": ("Honiara",),
    "SC": ("Victoria",),
    "SD": ("Khartoum", "Port Sudan"),
    "SE": ("Stockholm",),
    "SG": ("Singapore",),
    "SI": ("Ljubljana",),
    "SK": ("Bratislava",),
    "SL": ("Freetown",),
    "SM": ("San Marino",),
    "SN": ("Dakar",),
    "SO": ("Mogadishu",),
    "SR": ("Paramaribo",),
    "SS": ("Juba",),
    "ST": ("Sao Tome", "São Tomé"),
    "SV": ("San Salvador",),
    "SY": ("Damascus",),
    "SZ": ("Lobamba", "Mbabane"),
    "TD": ("N'Djamena", "Ndjamena"),
    "TG": ("Lome", "Lomé"),
    "TH": ("Bangkok",),
    "TJ": ("Dushanbe",),
    "TL": ("Dili",),
    "TM": ("Ashgabat",),
    "TN": ("Tunis",),
    "TO": ("Nuku'alofa",),
    "TR": ("Ankara",),
    "TT": ("Port of Spain",),
    "TV": ("Funafuti",),
    "TZ": ("Dar es Salaam", "Dodoma"),
    "UA": ("Kiev", "Kyiv"),
    "UG": ("Kampala",),
    "US": ("Washington", "Washington, D.C."),
    "UY": ("Montevideo",),
    "UZ": ("Tashkent",),
    "VC": ("Kingstown",),
    "VE": ("Caracas",),
    "VN": ("Hanoi",),
    "VU": ("Port Vila",),
    "WS": ("Apia",),
    "YE": ("Aden", "Sanaa", "Sana'a"),
    "ZA": ("Bloemfontein", "Cape Town", "Pretoria"),
    "ZM": ("Lusaka",),
    "ZW": ("Harare",),
}

#: Observer and de-facto states that the schema also treats as COUNTRY.
OTHER_STATE_CAPITALS: dict[str, tuple[str, ...]] = {
    "PS": ("Ramallah",),
    "TW": ("Taipei",),
    "VA": ("Vatican City",),
    "XK": ("Pristina", "Prishtina"),
}

#: Countries missing from pycountry (ISO user-assigned codes): code -> name.
EXTRA_COUNTRIES: dict[str, str] = {"XK": "Kosovo"}

#: Preferred news name where pycountry's name is a formal or inverted form.
NEWS_NAMES: dict[str, str] = {
    "BN": "Brunei",
    "BO": "Bolivia",
    "CC": "Cocos Islands",
    "CD": "Democratic Republic of the Congo",
    "FK": "Falkland Islands",
    "MF": "Saint Martin",
    "SX": "Sint Maarten",
    "CG": "Republic of the Congo",
    "FM": "Micronesia",
    "IR": "Iran",
    "KP": "North Korea",
    "KR": "South Korea",
    "LA": "Laos",
    "MD": "Moldova",
    "PS": "Palestine",
    "RU": "Russia",
    "SY": "Syria",
    "TR": "Turkey",
    "TW": "Taiwan",
    "TZ": "Tanzania",
    "VA": "Vatican",
    "VE": "Venezuela",
    "VG": "British Virgin Islands",
    "VI": "US Virgin Islands",
    "VN": "Vietnam",
}

#: Alias names used in news but missing from pycountry (pycountry names are added automatically).
EXTRA_COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "AE": ("UAE", "U.A.E."),
    "AG": ("Antigua",),
    "BA": ("Bosnia", "Bosnia-Herzegovina"),
    "BN": ("Brunei Darussalam",),
    "BS": ("The Bahamas",),
    "CD": ("Congo-Kinshasa", "DR Congo", "DRC", "Democratic Republic of Congo"),
    "CG": ("Congo", "Congo-Brazzaville", "Republic of Congo"),
    "CI": ("Cote d'Ivoire", "Ivory Coast"),
    "CN": ("PRC", "People's Republic of China"),
    "CV": ("Cape Verde",),
    "CZ": ("Czech Republic",),
    "GB": ("Britain", "Great Britain", "U.K.", "UK"),
    "GM": ("The Gambia",),
    "IE": ("Republic of Ireland",),
    "KN": ("Saint Kitts", "St Kitts and Nevis", "St. Kitts and Nevis"),
    "KP": ("DPRK", "Democratic People's Republic of Korea"),
    "KR": ("ROK", "Republic of Korea"),
    "LA": ("Lao PDR", "Lao People's Democratic Republic"),
    "LC": ("St Lucia", "St. Lucia"),
    "MO": ("Macau",),
    "MK": ("FYROM", "Former Yugoslav Republic of Macedonia", "Macedonia"),
    "MM": ("Burma",),
    "NL": ("Holland",),
    "PG": ("PNG",),
    "PS": ("State of Palestine",),
    "RU": ("Russian Federation",),
    "ST": ("São Tomé and Príncipe",),
    "SY": ("Syrian Arab Republic",),
    "SZ": ("Swaziland", "eSwatini"),
    "TL": ("East Timor",),
    "TR": ("Republic of Turkey", "Turkiye", "Türkiye"),
    "TT": ("Trinidad",),
    "TW": ("ROC", "Republic of China"),
    "US": ("America", "U.S.", "U.S.A.", "US", "USA", "United States of America"),
    "VA": ("Holy See", "Vatican City", "Vatican City State"),
    "VC": ("Saint Vincent", "St Vincent and the Grenadines", "St. Vincent and the Grenadines"),
    "VN": ("Viet Nam", "Socialist Republic of Vietnam"),
    "XK": ("Republic of Kosovo",),
}


# =============================================================================================
# PETRARCH dictionary reading
# =============================================================================================


@dataclass
class ActorEntry:
    """One entry of a PETRARCH actor/agent dictionary: names (primary first) and codes."""

    names: list[str]
    codes: list[str] = field(default_factory=list)
    comment: str = ""


_CODE_RE = re.compile(r"\[([^\]]*)\]")
_SUBST_RE = re.compile(r"^!(\w+)!\s*=\s*(.+)$")


def read_actor_entries(path: Path) -> Iterator[ActorEntry]:
    """Parse a PETRARCH ``.actors`` / agents file.

    Format: a primary name line (optionally followed by ``[CODE dates]`` on the same line),
    ``+ALIAS`` lines, and indented ``[CODE dates]`` lines; ``#`` starts a comment.
    """
    current: ActorEntry | None = None
    with path.open(encoding="utf-8", errors="replace") as handle:
        for raw in handle:
            line = raw.rstrip("\n")
            comment = ""
            if "#" in line:
                cut = line.index("#")
                line, comment = line[:cut], line[cut:]
            if not line.strip() or _SUBST_RE.match(line.strip()):
                continue
            codes = _CODE_RE.findall(line)
            text = _CODE_RE.sub("", line).strip()
            if raw[:1] in (" ", "\t") and not text:
                if current is not None:
                    current.codes.extend(codes)
                continue
            if text.startswith("+"):
                if current is not None:
                    current.names.append(text[1:].strip())
                    current.codes.extend(codes)
                continue
            if current is not None:
                yield current  # complete: its alias and code lines have been read
            current = ActorEntry(names=[text], codes=list(codes), comment=comment)
    if current is not None:
        yield current


def read_substitutions(path: Path) -> dict[str, list[str]]:
    """Read ``!NAME! = A, B, C`` substitution sets of the agents file."""
    subs: dict[str, list[str]] = {}
    with path.open(encoding="utf-8", errors="replace") as handle:
        for raw in handle:
            match = _SUBST_RE.match(raw.split("#", 1)[0].strip())
            if match:
                subs[match.group(1)] = [w.strip() for w in match.group(2).split(",") if w.strip()]
    return subs


def code_sectors(code: str) -> set[str]:
    """Sector chunks of a CAMEO actor code: ``USAGOVLEG`` -> {GOV, LEG}; ``~COP`` -> {COP}."""
    code = code.split()[0].lstrip("~") if code.strip() else ""
    if not code:
        return set()
    # Agent codes (~XXX) have no country prefix; actor codes start with a 3-letter country/IGO.
    body = code if len(code) % 3 == 0 and code[:3] in GOV_SECTORS else code[3:]
    return {body[i : i + 3] for i in range(0, len(body) - 2, 3)}


def petrarch_tokens(raw: str) -> list[str]:
    """Split a PETRARCH phrase (``US_DEPARTMENT_OF_STATE_``) into upper-case tokens."""
    return [t for t in re.split(r"[_\s]+", raw.strip().strip("_")) if t]


_SINGLE_WORD_BODIES_BY_FOLD: dict[str, str] = {w.casefold(): w for w in SINGLE_WORD_BODIES}


def title_case_token(token: str, first: bool, single: bool) -> str:
    """Natural-case one upper-case PETRARCH token."""
    if token in TOKEN_FIXES:
        return TOKEN_FIXES[token]
    if single and token.casefold() in _SINGLE_WORD_BODIES_BY_FOLD:
        return _SINGLE_WORD_BODIES_BY_FOLD[token.casefold()]  # STASI -> Stasi, not an acronym
    if "." in token or token in ACRONYM_TOKENS or any(ch.isdigit() for ch in token):
        return token
    if single and len(token) <= 5:
        return token  # lone short token of a body entry: an acronym (FBI, NSA, PLA)
    lower = token.lower()
    if not first and lower in LOWER_WORDS:
        return lower
    parts = lower.split("-")
    cased = []
    for i, part in enumerate(parts):
        if i > 0 and part in LOWER_WORDS:
            cased.append(part)
        elif "'" in part:
            head, _, tail = part.partition("'")
            cased.append(head.capitalize() + "'" + tail)
        else:
            cased.append(part.capitalize())
    return "-".join(cased)


def title_case_name(tokens: list[str]) -> str:
    """``['MINISTRY', 'OF', 'FOREIGN', 'AFFAIRS']`` -> ``Ministry of Foreign Affairs``."""
    single = len(tokens) == 1
    return " ".join(title_case_token(t, i == 0, single) for i, t in enumerate(tokens))


# =============================================================================================
# Agency name filtering
# =============================================================================================


def _head_patterns() -> list[re.Pattern[str]]:
    heads = (*AGENCY_HEADS, *PETRARCH_EXTRA_HEADS)
    return [re.compile(r"(?<![\w'])" + re.escape(h) + r"(?![\w])") for h in heads]


HEAD_PATTERNS = _head_patterns()


def has_agency_head(name: str) -> bool:
    """True when the name contains a head (``AGENCY_HEADS`` or ``PETRARCH_EXTRA_HEADS``)."""
    return any(p.search(name) for p in HEAD_PATTERNS)


def is_acronym(name: str) -> bool:
    """FBI, MI6, GSG 9, BaFin: no spaces (or one digit group) and mostly upper case."""
    compact = name.replace(" ", "").replace("-", "")
    uppers = sum(ch.isupper() for ch in compact)
    return (
        2 <= len(compact) <= 8 and compact.isalnum() and uppers >= 2 and " " not in name.strip(" 0123456789")
    )


def has_role_word(tokens: Iterable[str]) -> bool:
    """True when a PETRARCH token list names a person or a role rather than a body."""
    return any(t.upper().strip(".,'") in ROLE_WORDS for t in tokens)


def clean_agency_name(name: str) -> str | None:
    """Apply the generic noise filters to a natural-case candidate; None when rejected."""
    name = re.sub(r"\s+", " ", name).strip(" ,;:")
    if name.startswith("The ") and name[4:5].isupper():
        name = name[4:]
    if not name or not name[0].isupper():
        return None  # "foreign ministry", pronouns, lower-case noise
    if any(tok[:1].islower() and tok not in LOWER_WORDS for tok in name.split()):
        return None  # "Inter-Services Intelligence agency": a description, not a name
    if len(name) < 3 and name not in SHORT_NAME_ALLOW:
        return None
    if not re.fullmatch(r"[\w .,'&()\-’]+", name):
        return None  # stray symbols (BFE+)
    if name.upper() in AMBIGUOUS_ACRONYMS or name in DWIE_NOT_AGENCIES:
        return None
    if any(marker in name for marker in NON_STATE_MARKERS):
        return None
    if name.casefold() in GENERIC_SINGLE_WORDS:
        return None
    if " " not in name and not is_acronym(name) and name not in SINGLE_WORD_BODIES:
        return None  # single common words (Government, Defence, Justice)
    return name


def is_igo_organ(name: str) -> bool:
    """True for organs of IGOs (European Commission, UN Security Council), not whole IGOs."""
    if name in IGO_NOT_ORGANS:
        return False
    if name in IGO_ORGAN_EXTRA:
        return True
    has_head = any(re.search(r"\b" + re.escape(h) + r"\b", name) for h in IGO_ORGAN_HEADS)
    return has_head and name.startswith(IGO_PREFIXES)


def agencies_from_country_actors(path: Path) -> set[str]:
    """Named national institutions with a government-sector code (Phoenix.Countries.actors)."""
    out: set[str] = set()
    for entry in read_actor_entries(path):
        if "CountryInfo" in entry.comment:
            continue  # leader records generated from CountryInfo.txt: persons
        sectors = set().union(*(code_sectors(c) for c in entry.codes)) if entry.codes else set()
        if not sectors & GOV_SECTORS:
            continue
        out |= _body_names(entry, igo=False)
    return out


def agencies_from_international_actors(path: Path) -> set[str]:
    """Organs of IGOs from Phoenix.International.actors (IGO-coded entries only)."""
    out: set[str] = set()
    for entry in read_actor_entries(path):
        if not any(c.split()[0].startswith("IGO") for c in entry.codes if c.strip()):
            continue
        out |= _body_names(entry, igo=True)
    return out


def _body_names(entry: ActorEntry, igo: bool) -> set[str]:
    """Names of one actor entry that denote a body.

    The entry is a body entry when its primary name is one (has a head word, is a known
    single-word body, or - for IGOs - is an organ).  Its aliases are then kept when they carry
    a head word or are short acronyms; persons and roles listed as aliases are dropped.
    """
    names = [petrarch_tokens(n) for n in entry.names]
    names = [t for t in names if t]
    if not names:
        return set()
    primary_tokens = names[0]
    primary = title_case_name(primary_tokens)

    def accept(tokens: list[str], in_body_entry: bool) -> str | None:
        if has_role_word(tokens) or tokens[0] in BAD_FIRST_TOKENS and len(tokens) == 1:
            return None
        if tokens[0] in BAD_FIRST_TOKENS:
            tokens = tokens[1:]
        name = title_case_name(tokens)
        if igo:
            ok = is_igo_organ(name) or (in_body_entry and len(tokens) == 1 and len(name) <= 5)
        else:
            ok = (
                has_agency_head(name)
                or name in SINGLE_WORD_BODIES
                or (in_body_entry and len(tokens) == 1 and len(name) <= 6)
            )
        return clean_agency_name(name) if ok else None

    if accept(primary_tokens, in_body_entry=False) is None and primary not in SINGLE_WORD_BODIES:
        return set()
    kept = {accept(t, in_body_entry=True) for t in names}
    return {n for n in kept if n}


def agencies_from_agents(path: Path) -> set[str]:
    """Generic agent phrases of Phoenix.agents.txt that are also used as body names."""
    subs = read_substitutions(path)
    out: set[str] = set()
    for entry in read_actor_entries(path):
        if not any(code_sectors(c) & GOV_SECTORS for c in entry.codes):
            continue
        raw = entry.names[0]
        raw = re.sub(r"\{[^}]*\}", "", raw).strip()
        raw = raw.replace("AD!MINIST!RA", "ADMINISTRA")  # a global replace gone wrong upstream
        # !MINIST! = MINISTER, MINISTERS, MINISTRY, MINISTRIES: keep only the body form.
        for key, values in subs.items():
            if f"!{key}!" in raw:
                body_forms = [v for v in values if v.endswith("Y")] or values[:1]
                raw = raw.replace(f"!{key}!", body_forms[0] + "_")
        tokens = petrarch_tokens(raw)
        if len(tokens) < 2 or has_role_word(tokens) or "!" in raw:
            continue
        name = title_case_name(tokens)
        if tokens[-1] in AGENT_DANGLING_LAST or set(tokens) & AGENT_BAD_TOKENS or name in AGENT_NOT_NAMES:
            continue
        if any(p.fullmatch(name) for p in AGENT_NAME_PATTERNS):
            cleaned = clean_agency_name(name)
            if cleaned:
                out.add(cleaned)
    return out


def agencies_from_dwie(data_dir: Path) -> tuple[set[str], int]:
    """Agency names from DWIE official *train* documents and the dev split (never test)."""
    names: set[str] = set()
    n_docs = 0
    for path in sorted(glob.glob(str(data_dir / DWIE_OFFICIAL_GLOB))):
        with open(path, encoding="utf-8") as handle:
            doc = json.load(handle)
        if "train" not in doc.get("tags", []):
            continue  # official test documents are a benchmark: never read their names
        n_docs += 1
        mentions: dict[int, set[str]] = defaultdict(set)
        for mention in doc.get("mentions", []):
            mentions[mention["concept"]].add(mention["text"])
        for concept in doc.get("concepts", []):
            tags = set(concept.get("tags") or [])
            surface = {concept.get("text") or ""} | mentions.get(concept["concept"], set())
            names |= _dwie_accept(tags, surface)
    dev_path = data_dir / DWIE_DEV_FILE
    if dev_path.exists():
        with dev_path.open(encoding="utf-8") as handle:
            dev = json.load(handle)
        for doc in dev:
            n_docs += 1
            for vertex, fine in zip(doc["vertexSet"], doc.get("vertexFineTypes", []), strict=True):
                if not fine:
                    continue
                names |= _dwie_accept(set(fine.get("tags") or []), {m["name"] for m in vertex})
    return names, n_docs


def _dwie_accept(tags: set[str], surface: set[str]) -> set[str]:
    out: set[str] = set()
    for text in surface:
        if tags & DWIE_AGENCY_TYPES:
            name = clean_agency_name(text)
        elif DWIE_IGO_TYPE in tags:
            name = clean_agency_name(text)
            name = name if name and is_igo_organ(name) else None
        else:
            continue
        if name:
            out.add(name)
    return out


def dedupe_case_variants(names: Iterable[str]) -> list[str]:
    """Keep one spelling per case-folded name (the one with most capitals), sorted."""
    best: dict[str, str] = {}
    for name in names:
        key = name.casefold()
        prev = best.get(key)
        score = (sum(ch.isupper() for ch in name), name)
        if prev is None or score > (sum(ch.isupper() for ch in prev), prev):
            best[key] = name
    return sorted(best.values(), key=lambda s: (s.casefold(), s))


# =============================================================================================
# CAMEO verb dictionaries -> triggers
# =============================================================================================

_VERB_BLOCK_RE = re.compile(r"^---\s*(\S+)\s*\[([^\]]*)\]\s*---")
_VERB_LINE_RE = re.compile(r"^\s*(\+?[A-Z][A-Z_'\-]*)\s*(?:\{[^}]*\})?\s*(?:\[([^\]]*)\])?")


def read_cameo_verbs(path: Path) -> dict[str, set[str]]:
    """Map each verb lemma (lower case, multiword joined by spaces) to its CAMEO codes.

    A verb's code is the code in brackets after it, else its block's default code (from the
    ``--- NAME [code] ---`` header).  Pattern lines (``- ...``) and ``[---]`` codes are ignored.
    """
    lemmas: dict[str, set[str]] = defaultdict(set)
    block_code: str | None = None
    in_patterns = False
    with path.open(encoding="utf-8", errors="replace") as handle:
        for raw in handle:
            if "VERB PATTERNS" in raw:
                in_patterns = True
                continue
            if "TRANSFORMATIONS" in raw and raw.startswith("#"):
                break
            if not in_patterns:
                continue
            line = raw.split("#", 1)[0].rstrip()
            header = _VERB_BLOCK_RE.match(line)
            if header:
                block_code = header.group(2).split(":")[0].strip()
                continue
            if block_code is None or not line.strip() or line.lstrip()[:1] in ("-", "~"):
                continue
            match = _VERB_LINE_RE.match(line)
            if not match:
                continue
            word, own_code = match.group(1), match.group(2)
            code = (own_code or block_code).split(":")[0].strip()
            lemma = word.lstrip("+").strip("_").replace("_", " ").lower()
            if (
                not code
                or code == "---"
                or len(lemma) < 3
                or not re.fullmatch(r"[a-z][a-z' \-]*[a-z]", lemma)
            ):  # "RE_" is a prefix
                continue
            lemmas[lemma].add(code)
    return lemmas


def relation_for_code(code: str) -> str | None:
    """Longest-prefix lookup in ``CAMEO_CODE_TO_RELATION``."""
    for length in range(len(code), 0, -1):
        if code[:length] in CAMEO_CODE_TO_RELATION:
            return CAMEO_CODE_TO_RELATION[code[:length]]
    return None


def build_triggers(dict_dir: Path) -> dict[str, dict[str, list[str]]]:
    """Relation -> {verbs, phrases, cameo_verbs_kept, cameo_verbs_dropped} lists."""
    primary = read_cameo_verbs(dict_dir / "CAMEO.verbpatterns.150430.txt")
    fallback = read_cameo_verbs(dict_dir / "CAMEO.2.0.txt")
    codes = dict(primary)
    for lemma, lemma_codes in fallback.items():
        codes.setdefault(lemma, lemma_codes)

    per_relation: dict[str, set[str]] = {r: set() for r in RELATION_ORDER}
    for lemma, lemma_codes in codes.items():
        relations = {relation_for_code(c) for c in lemma_codes} - {None}
        if not relations:
            continue
        chosen = next(r for r in RELATION_ORDER if r in relations)
        per_relation[chosen].add(lemma)

    result: dict[str, dict[str, list[str]]] = {}
    for relation in RELATION_ORDER:
        candidates = per_relation[relation]
        kept = candidates - DROP_LEMMAS[relation]
        verbs = {v for v in kept if " " not in v} | set(EXTRA_VERBS[relation])
        phrases = {v for v in kept if " " in v} | set(EXTRA_PHRASES[relation])
        result[relation] = {
            "verbs": sorted(verbs),
            "phrases": sorted(phrases),
            "cameo_dropped": sorted(candidates & DROP_LEMMAS[relation]),
        }
    # Every lemma must belong to a single relation.
    seen: dict[str, str] = {}
    for relation, lists in result.items():
        for item in lists["verbs"] + lists["phrases"]:
            if item in seen and seen[item] != relation:
                raise ValueError(f"trigger {item!r} in both {seen[item]} and {relation}")
            seen[item] = relation
    return result


# =============================================================================================
# Countries
# =============================================================================================


@dataclass
class CountryRecord:
    """One ``[countries.XX]`` table."""

    code: str
    name: str
    aliases: list[str]
    capitals: list[str]
    sovereign: bool


def _strip_article(name: str) -> str:
    return name[4:] if name.lower().startswith("the ") and not name.startswith("The Gambia") else name


def build_countries() -> list[CountryRecord]:
    """Merge pycountry with the hand-reviewed alias and capital tables."""
    state_capitals = {**UN_MEMBER_CAPITALS, **OTHER_STATE_CAPITALS}
    if len(UN_MEMBER_CAPITALS) != 193:
        raise ValueError(f"expected 193 UN member states, got {len(UN_MEMBER_CAPITALS)}")
    known = {c.alpha_2 for c in pycountry.countries} | set(EXTRA_COUNTRIES)
    for table in (state_capitals, NEWS_NAMES, EXTRA_COUNTRY_ALIASES):
        unknown = set(table) - known
        if unknown:
            raise ValueError(f"unknown country codes: {sorted(unknown)}")

    records: list[CountryRecord] = []
    entries: list[tuple[str, list[str]]] = []
    for country in pycountry.countries:
        forms = [country.name, getattr(country, "common_name", None), getattr(country, "official_name", None)]
        entries.append((country.alpha_2, [f for f in forms if f]))
    for code, name in EXTRA_COUNTRIES.items():
        entries.append((code, [name]))

    for code, forms in entries:
        name = NEWS_NAMES.get(code) or next((f for f in forms if "," not in f), forms[0])
        aliases = {_strip_article(f) for f in forms if "," not in f and "(" not in f}
        aliases |= set(EXTRA_COUNTRY_ALIASES.get(code, ()))
        aliases.discard(name)
        records.append(
            CountryRecord(
                code=code,
                name=name,
                aliases=sorted(aliases, key=lambda s: (s.casefold(), s)),
                capitals=sorted(state_capitals.get(code, ())),
                sovereign=code in state_capitals,
            )
        )
    return sorted(records, key=lambda r: r.code)


# =============================================================================================
# Writers
# =============================================================================================


def toml_str(value: str) -> str:
    """A TOML basic string (JSON string syntax is a subset of it for these values)."""
    return json.dumps(value, ensure_ascii=False)


def toml_list(values: Iterable[str], indent: str = "    ", width: int = 96) -> str:
    """A TOML array, wrapped over several lines when long."""
    items = [toml_str(v) for v in values]
    one_line = "[" + ", ".join(items) + "]"
    if len(one_line) <= width:
        return one_line
    lines, current = [], ""
    for item in items:
        candidate = f"{current} {item}," if current else f"{item},"
        if len(indent) + len(candidate) > width and current:
            lines.append(indent + current)
            current = f"{item},"
        else:
            current = candidate
    if current:
        lines.append(indent + current)
    return "[\n" + "\n".join(lines) + "\n]"


def write_lines(path: Path, lines: Iterable[str]) -> int:
    items = list(lines)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{line}\n" for line in items), encoding="utf-8")
    return len(items)


def write_triggers(path: Path, triggers: dict[str, dict[str, list[str]]]) -> None:
    out = [
        "# Trigger lexicons of the rule-based baseline for the interaction relations.",
        "# GENERATED by scripts/build_lexicons.py - do not edit by hand; change the script.",
        "# Source: PETRARCH2 CAMEO verb dictionaries (CAMEO.verbpatterns.150430.txt, CAMEO.2.0.txt),",
        "#   (c) Open Event Data Alliance, MIT licence; verbs kept by CAMEO code, minus ambiguous",
        "#   lemmas, plus hand-added verbs and noun/multiword triggers.",
        "# CAMEO code -> relation (longest prefix wins):",
    ]
    for prefix, relation in CAMEO_CODE_TO_RELATION.items():
        out.append(f"#   {prefix + 'x':<5} -> {relation or '(skipped)'}")
    out += [
        "# verbs: single-word verb lemmas (lower case); phrases: nouns and multiword triggers",
        "# (lower-case surface forms, matched on token sequences).",
        "",
        "[cameo_code_map]",
    ]
    for prefix, relation in CAMEO_CODE_TO_RELATION.items():
        out.append(f"{toml_str(prefix)} = {toml_str(relation or 'skip')}")
    for relation in RELATION_ORDER:
        lists = triggers[relation]
        codes = sorted(p for p, r in CAMEO_CODE_TO_RELATION.items() if r == relation)
        out += [
            "",
            f"[relations.{relation}]",
            f"cameo_codes = {toml_list(codes)}",
            f"verbs = {toml_list(lists['verbs'])}",
            f"phrases = {toml_list(lists['phrases'])}",
        ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def write_countries(path: Path, records: list[CountryRecord]) -> None:
    out = [
        "# Country names, aliases and capitals for the rule-based baseline (COUNTRY entities).",
        "# GENERATED by scripts/build_lexicons.py from pycountry (ISO 3166-1) plus hand-reviewed",
        "# alias and capital tables in that script - do not edit by hand; change the script.",
        "# name: preferred news name; aliases: other names; capitals: capital(s)/seat(s) of",
        "# government, listed only for sovereign or de-facto states (sovereign = true), read as",
        '# COUNTRY when used for the government ("Beijing has denied"). XK (Kosovo) is not in ISO.',
    ]
    for rec in records:
        out += [
            "",
            f"[countries.{rec.code}]",
            f"name = {toml_str(rec.name)}",
            f"aliases = {toml_list(rec.aliases)}",
            f"capitals = {toml_list(rec.capitals)}",
            f"sovereign = {'true' if rec.sovereign else 'false'}",
        ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


# =============================================================================================
# Main
# =============================================================================================


def resolve(path: str) -> Path:
    candidate = Path(path)
    return candidate if candidate.is_absolute() else (REPO_ROOT / candidate).resolve()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data-dir",
        default="../shared/data",
        help="shared data folder (relative to the repo root; default ../shared/data)",
    )
    parser.add_argument(
        "--out", default="configs", help="output folder (relative to the repo root; default configs)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    data_dir, out_dir = resolve(args.data_dir), resolve(args.out)
    dict_dir = data_dir / PETRARCH_DICT_DIR
    if not dict_dir.is_dir():
        print(f"error: PETRARCH dictionaries not found at {dict_dir}", file=sys.stderr)
        return 2

    def log(msg: str) -> None:
        print(msg, file=sys.stderr)

    # (a) agencies
    from_countries = agencies_from_country_actors(dict_dir / "Phoenix.Countries.actors.txt")
    from_igos = agencies_from_international_actors(dict_dir / "Phoenix.International.actors.txt")
    from_agents = agencies_from_agents(dict_dir / "Phoenix.agents.txt")
    from_dwie, n_dwie_docs = agencies_from_dwie(data_dir)
    seeds = {n for n in (clean_agency_name(s) for s in SEED_AGENCIES) if n}
    agencies = dedupe_case_variants(from_countries | from_igos | from_agents | from_dwie | seeds)
    n_agencies = write_lines(out_dir / "gazetteers" / "agencies.txt", agencies)
    log(
        f"agencies: {n_agencies} (PETRARCH countries {len(from_countries)}, IGO organs "
        f"{len(from_igos)}, agents {len(from_agents)}, DWIE {len(from_dwie)} from {n_dwie_docs} "
        f"train/dev docs, seeds {len(seeds)})"
    )

    # (b) heads
    n_heads = write_lines(
        out_dir / "gazetteers" / "agency_heads.txt",
        sorted(set(AGENCY_HEADS), key=lambda s: (s.casefold(), s)),
    )
    log(f"agency heads: {n_heads}")

    # (c) triggers
    triggers = build_triggers(dict_dir)
    write_triggers(out_dir / "triggers.toml", triggers)
    for relation in RELATION_ORDER:
        lists = triggers[relation]
        log(
            f"triggers {relation}: {len(lists['verbs'])} verbs, {len(lists['phrases'])} phrases "
            f"({len(lists['cameo_dropped'])} CAMEO lemmas dropped as ambiguous)"
        )

    # (d) countries
    countries = build_countries()
    write_countries(out_dir / "countries.toml", countries)
    log(
        f"countries: {len(countries)} ({sum(c.sovereign for c in countries)} sovereign/de-facto, "
        f"{sum(len(c.aliases) for c in countries)} aliases, "
        f"{sum(len(c.capitals) for c in countries)} capitals)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
