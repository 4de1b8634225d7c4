"""session.login(browser) with Python Playwright on Debian's Chromium, async and sync."""

from __future__ import annotations

import pytest
from playwright.async_api import async_playwright
from playwright.sync_api import sync_playwright

from terrarium import AsyncTerrarium, Env, LoginError, Terrarium

from support import Server

pytestmark = pytest.mark.anyio

CHROMIUM = "/usr/bin/chromium"
# As root, without a sandbox; the background-networking flags keep Chromium off hosts this machine cannot reach.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


async def test_async_login_opens_one_logged_in_page_per_environment(client: AsyncTerrarium) -> None:
    async with (
        await client.sessions.create(
            envs=[Env.simulator("fossil", alias="forge"), Env.simulator("fossil", alias="mirror")]
        ) as session,
        async_playwright() as playwright,
    ):
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            result = await session.login(browser)
            assert set(result.pages) == {"forge", "mirror"}
            urls = await session.get_public_url()
            for alias, page in result.pages.items():
                assert page.url.startswith(urls[alias].rstrip("/"))
                assert "Logout" in await page.locator(".mainmenu").inner_text()
            await result.context.close()

            only = await session.login(browser, aliases=["mirror"])
            assert list(only.pages) == ["mirror"]
            await only.context.close()
        finally:
            await browser.close()


def test_sync_login_and_a_failed_step(server: Server) -> None:
    with (
        Terrarium(base_url=server.url) as client,
        client.sessions.create(envs=[Env.simulator("fossil", alias="forge")]) as session,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            result = session.login(browser)
            assert "Logout" in result.pages["forge"].locator(".mainmenu").inner_text()
            result.context.close()

            # A wrong password: the step that waits for the logged-in page fails, naming it, never the password.
            session.execute("fossil user password admin changed-elsewhere -R /data/project.fossil")
            with pytest.raises(LoginError) as caught:
                session.login(browser, step_timeout=5)
            error = caught.value
            assert error.alias == "forge"
            assert error.step.startswith("wait for URL")
            assert "terrarium-admin" not in str(error)
            assert "(password)" not in error.step
            assert error.screenshot is not None
        finally:
            browser.close()
