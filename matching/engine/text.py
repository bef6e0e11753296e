"""Chinese tokenisation for matching: jieba with a domain dictionary, synonym folding and a small stop list."""

import copy
import logging
import re
import threading
from collections.abc import Iterable, Mapping

import jieba

_INIT_LOCK = threading.Lock()
_TOKEN = re.compile(r"[\w\u4e00-\u9fff]+")
#: Function words and generic filler of postings that carry no matching signal.
STOPWORDS = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "或",
        "在",
        "是",
        "为",
        "对",
        "等",
        "将",
        "把",
        "被",
        "从",
        "向",
        "以",
        "于",
        "之",
        "其",
        "这",
        "那",
        "有",
        "无",
        "也",
        "都",
        "就",
        "而",
        "并",
        "但",
        "我们",
        "我司",
        "公司",
        "企业",
        "本",
        "一",
        "个",
        "一家",
        "一些",
        "能够",
        "可以",
        "需要",
        "希望",
        "寻求",
        "提供",
        "相关",
        "方面",
        "进行",
        "开展",
        "具备",
        "具有",
        "拥有",
        "目前",
        "现有",
        "主要",
        "我",
        "你",
        "他",
        "它",
    ]
)


_base: jieba.Tokenizer | None = None


def _fresh_jieba() -> jieba.Tokenizer:
    """A jieba tokenizer with the main dictionary loaded once per process and copied (about 20 ms) per instance,
    so that each vocabulary gets its own word table. Loaded quietly: jieba logs its cache loading otherwise."""
    global _base
    with _INIT_LOCK:
        if _base is None:
            jieba.setLogLevel(logging.WARNING)
            _base = jieba.Tokenizer()
            _base.initialize()
        fresh = copy.copy(_base)
        fresh.FREQ = dict(_base.FREQ)
        fresh.user_word_tag_tab = dict(_base.user_word_tag_tab)
        fresh.lock = threading.RLock()
        return fresh


class Tokenizer:
    """A private jieba instance (the global one is shared with other apps) with domain words and synonyms.

    `synonyms` maps each variant to its canonical term; variants and terms are added to the dictionary so jieba
    keeps them whole, then every variant token is replaced by its term.
    """

    def __init__(self, domain_words: Iterable[str] = (), synonyms: Mapping[str, str] | None = None) -> None:
        self._jieba = _fresh_jieba()
        self.synonyms = {k.lower(): v.lower() for k, v in (synonyms or {}).items()}
        words = {w.strip() for w in domain_words if w and w.strip()}
        words |= set(self.synonyms) | set(self.synonyms.values())
        for word in sorted(words):
            if len(word) > 1:
                # A high frequency so the dictionary word wins over jieba's own split.
                self._jieba.add_word(word, freq=20000)
        self.domain_words = frozenset(w.lower() for w in words)

    def tokens(self, text: str) -> list[str]:
        """Search-mode tokens (long words and their parts), synonyms folded, stop words and punctuation dropped."""
        out: list[str] = []
        for raw in self._jieba.cut_for_search(text or ""):
            word = raw.strip().lower()
            if not word or not _TOKEN.fullmatch(word) or word in STOPWORDS:
                continue
            if len(word) == 1 and not word.isalnum():
                continue
            out.append(self.synonyms.get(word, word))
        return out


def synonym_map(groups: Iterable[tuple[str, Iterable[str]]]) -> dict[str, str]:
    """[(term, [variant, ...]), ...] → {variant: term}."""
    mapping: dict[str, str] = {}
    for term, variants in groups:
        for variant in variants:
            if variant and variant != term:
                mapping[variant] = term
    return mapping
