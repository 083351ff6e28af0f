"""What a screen-reader user needs on every page, checked on the served HTML (axe-core runs on
the same pages in the browser tests): a skip link to the content, and a caption on every
table saying what it holds."""

import re

import pytest

from tests.dashboards.pages import PAGES, browser

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["ko", "en"])
@pytest.mark.parametrize("url", PAGES)
def test_every_table_has_a_caption_and_the_page_a_skip_link(cto_viewer, url, language):
    page = browser(cto_viewer, language).get(url).content.decode()
    tables = re.findall(r"<table\b[^>]*>\s*(<caption\b[^>]*>(.*?)</caption>)?", page, re.S)
    assert tables, url
    for caption, text in tables:
        assert caption and text.strip(), f"{url}: a table without a caption"
    assert re.search(r'<a class="skip-link" href="#main">[^<]+</a>', page)
    assert '<main id="main"' in page
