"""Lesson Markdown (CommonMark, with tables and strikethrough) to HTML safe to embed in a page.

markdown-it-py renders; nh3 (Ammonia) sanitises, so raw HTML in content keeps only harmless
markup: no scripts or styles, no event-handler attributes, links only to http(s) and mailto.
"""

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

#: What rendered Markdown can produce, and nothing else.
TAGS = frozenset(
    {
        *("h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "blockquote"),
        *("ul", "ol", "li", "a", "em", "strong", "del", "s", "code", "pre", "img"),
        *("table", "thead", "tbody", "tr", "th", "td", "abbr", "sub", "sup", "kbd"),
    }
)
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "abbr": {"title"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})


@lru_cache(maxsize=1)
def _renderer() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def render(markdown: str) -> str:
    """Sanitised HTML of a lesson's Markdown."""
    return nh3.clean(
        _renderer().render(markdown),
        tags=set(TAGS),
        clean_content_tags={"script", "style"},
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
    )
