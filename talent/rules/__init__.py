"""Rules as data: validation (schema), dated parameters (params), the SQL compiler (sql), the Python explainer (python).

Both evaluators read the same parsed tree; `talent.engine` puts them to work on the database.
"""

from talent.rules.params import DatedValue, ParamTable
from talent.rules.python import Explanation, explain
from talent.rules.schema import ParsedPolicy, RuleError, parse_policy
from talent.rules.sql import compile_policy

__all__ = [
    "DatedValue",
    "Explanation",
    "ParamTable",
    "ParsedPolicy",
    "RuleError",
    "compile_policy",
    "explain",
    "parse_policy",
]
