"""Names of sovereign (and de-facto) states: pycountry's names plus the aliases in `configs/countries.toml`.

One source for the baseline's gazetteer and for the labelled-data mapping of places to COUNTRY.
"""

from __future__ import annotations

from typing import Any

import pycountry


def sovereign_names(countries: dict[str, Any]) -> list[tuple[str, str]]:
    """(name or alias as written, ISO code) for the states marked sovereign in `countries` (the TOML table), pycountry
    names first, then the table's names and aliases; territories such as Hong Kong are left out (they are places)."""
    sovereign = {code for code, entry in countries.items() if entry.get("sovereign", True)}
    names: list[tuple[str, str]] = []
    for country in pycountry.countries:
        if country.alpha_2 in sovereign:
            for attr in ("name", "common_name", "official_name"):
                if value := getattr(country, attr, None):
                    names.append((value, country.alpha_2))
    for code, entry in countries.items():
        if code in sovereign:
            names.extend((name, code) for name in [entry.get("name", ""), *entry.get("aliases", [])] if name)
    return names
