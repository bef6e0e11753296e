"""Unique, valid identification numbers from a serial number: n → a USCC or a resident ID number, injective in n.

Random numbers collide at province scale (a million draws from a billion values give hundreds of duplicates), so the
generator derives each number from the row's id instead, scrambled so that consecutive ids do not look consecutive.
"""

from datetime import date, timedelta

from stdnum.cn import ric, uscc

from demo.scale.words import REGIONS

_USCC_SPACE = 10**8  # eight digits of the organisation code are derived from the serial; the ninth is a salt digit
_USCC_MULTIPLIER = 48_271  # coprime with 10**8: n → n·a mod 10**8 is a bijection

_FIRST_BIRTH = date(1984, 1, 1)
_BIRTH_DAYS = (date(2003, 12, 31) - _FIRST_BIRTH).days + 1
_ID_SPACE = 1000 * len(REGIONS) * _BIRTH_DAYS
_ID_MULTIPLIER = 1_000_003  # a prime that does not divide the space


def uscc_for(serial: int, *, region: str = "360106", salt: int = 7) -> str:
    """A valid 18-character USCC (enterprise, company) for `serial` (0 ≤ serial < 10**8); distinct serials → distinct
    codes. `region` must differ from the demo area's (360100) so generated firms never collide with demo firms."""
    scrambled = (serial * _USCC_MULTIPLIER) % _USCC_SPACE
    body = f"91{region}{salt % 10}{scrambled:08d}"
    return body + uscc.calc_check_digit(body)


def resident_id_for(serial: int) -> tuple[str, date]:
    """A valid resident ID number (region of Jiangxi, born 1984–2003) and its birth date; injective in `serial`."""
    scrambled = (serial * _ID_MULTIPLIER + 12_345) % _ID_SPACE
    sequence, rest = scrambled % 1000, scrambled // 1000
    region, day = REGIONS[rest % len(REGIONS)], rest // len(REGIONS)
    birth = _FIRST_BIRTH + timedelta(days=day)
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0"), birth
