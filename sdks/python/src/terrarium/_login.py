"""Browser login with Playwright: one context, one page per environment, each simulator's declared steps.

Playwright is optional (`pip install terrarium-sdk[login]`) and imported only for types: the caller hands in
its own `Browser`, async or sync, and the steps run on it.
"""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from ._wire import LoginFlow, LoginPlan, LoginPlanResponse
from .errors import LoginError, TerrariumError

if TYPE_CHECKING:
    from playwright.async_api import Browser as AsyncBrowser
    from playwright.async_api import BrowserContext as AsyncBrowserContext
    from playwright.async_api import Page as AsyncPage
    from playwright.sync_api import Browser as SyncBrowser
    from playwright.sync_api import BrowserContext as SyncBrowserContext
    from playwright.sync_api import Page as SyncPage


@dataclass
class AsyncLoginResult:
    """One logged-in page per environment, by alias, in one browser context: close it when done."""

    pages: dict[str, AsyncPage]
    context: AsyncBrowserContext


@dataclass
class LoginResult:
    """One logged-in page per environment, by alias, in one browser context: close it when done."""

    pages: dict[str, SyncPage]
    context: SyncBrowserContext


def wanted_plans(plans: LoginPlanResponse, flow: str, aliases: list[str] | None) -> list[tuple[LoginPlan, LoginFlow]]:
    """The environments to log in to: `aliases`, or every one whose simulator declares a login."""
    if flow != "login":
        raise TerrariumError(f'no flow "{flow}": a simulator declares one browser flow, "login"')
    known = {p.alias for p in plans.results.values()}
    missing = [alias for alias in aliases or [] if alias not in known]
    if missing:
        raise TerrariumError(
            f"no environment {', '.join(repr(a) for a in missing)} in the session; its environments: "
            f"{', '.join(sorted(known)) or 'none'}"
        )
    chosen = [p for p in plans.results.values() if (p.alias in aliases if aliases is not None else p.flow is not None)]
    wanted = []
    for plan in chosen:
        if plan.flow is None:
            raise TerrariumError(f'"{plan.alias}" ({plan.simulator or "artifact"}) declares no browser login')
        wanted.append((plan, plan.flow))
    return wanted


@dataclass
class Step:
    """One login step as the async and sync runners both perform it."""

    description: str
    kind: str  # goto, fill, click, wait_url, wait_selector, verify
    args: tuple[str, ...]


def steps_of(plan: LoginPlan, flow: LoginFlow) -> list[Step]:
    """Step 0 opens the public URL (off loopback it carries the access token the proxy trades for a cookie);
    then the declared steps, with `{username}` and `{password}` filled in, described with the password masked."""

    def fill(text: str) -> str:
        return text.replace("{username}", flow.username).replace("{password}", flow.password)

    def shown(text: str) -> str:
        return text.replace("{username}", flow.username)

    steps = [Step(f"open {plan.url.split('?')[0]}", "goto", (plan.url,))]
    for declared in flow.steps:
        step: dict[str, Any] = declared.model_dump(by_alias=True, exclude_none=True)
        if "goto" in step:
            steps.append(Step(f"goto {step['goto']}", "goto", (urljoin(plan.url, step["goto"]),)))
        elif "fill" in step:
            value = step["fill"]["value"]
            masked = "(password)" if "{password}" in value else shown(value)
            steps.append(
                Step(f"fill {step['fill']['selector']} with {masked}", "fill", (step["fill"]["selector"], fill(value)))
            )
        elif "click" in step:
            steps.append(Step(f"click {step['click']}", "click", (step["click"],)))
        elif "wait_for" in step and step["wait_for"].get("url"):
            url = step["wait_for"]["url"]
            steps.append(Step(f"wait for URL {url}", "wait_url", (fill(url),)))
        elif "wait_for" in step:
            selector = step["wait_for"]["selector"]
            steps.append(Step(f"wait for {selector}", "wait_selector", (selector,)))
        elif "verify" in step:
            text, selector = step["verify"]["text"], step["verify"]["selector"]
            steps.append(Step(f'verify "{shown(text)}" in {selector}', "verify", (selector, fill(text))))
        else:
            raise TerrariumError(f'"{plan.alias}": a login step this SDK does not know: {step}; update terrarium-sdk')
    return steps


def screenshot_path(directory: str | None, alias: str, index: int) -> str:
    folder = directory or os.path.join(tempfile.gettempdir(), "terrarium-login")
    os.makedirs(folder, exist_ok=True)
    return os.path.join(folder, f"{alias}-step-{index}-{int(time.time() * 1000)}.png")


def page_text(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()[:200]


async def log_in(
    browser: AsyncBrowser,
    plans: LoginPlanResponse,
    *,
    flow: str,
    targets: list[str] | None,
    context: AsyncBrowserContext | None,
    retries: int,
    retry_delay_ms: int,
    step_timeout: float,
    screenshots_dir: str | None,
    record: Callable[[str, str, bool, str | None], Awaitable[None]],
) -> AsyncLoginResult:
    """Every wanted environment at once, each on its own page; each outcome `record`ed, the first failure raised."""
    wanted = wanted_plans(plans, flow, targets)
    owned = context is None
    used = await browser.new_context() if context is None else context
    try:
        pages: dict[str, AsyncPage] = {}

        async def one(plan: LoginPlan, login: LoginFlow) -> None:
            page = await used.new_page()
            page.set_default_timeout(step_timeout * 1000)
            pages[plan.alias] = page
            for attempt in range(retries + 1):
                try:
                    for index, step in enumerate(steps_of(plan, login)):
                        try:
                            await _run_async(page, step)
                        except Exception as error:
                            raise await _failure_async(page, plan.alias, index, step, screenshots_dir, error) from error
                except LoginError as failure:
                    if attempt < retries:
                        await asyncio.sleep(retry_delay_ms / 1000)
                        continue
                    await record(plan.job_id, flow, False, str(failure))
                    raise
                await record(plan.job_id, flow, True, None)
                return

        outcomes = await asyncio.gather(*(one(plan, login) for plan, login in wanted), return_exceptions=True)
        failures = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
        if failures:
            raise failures[0]
        return AsyncLoginResult(pages=pages, context=used)
    except BaseException:
        if owned:
            await used.close()
        raise


async def _run_async(page: AsyncPage, step: Step) -> None:
    calls: dict[str, Callable[..., Awaitable[Any]]] = {
        "goto": page.goto,
        "fill": lambda selector, value: page.locator(selector).first.fill(value),
        "click": lambda selector: page.locator(selector).first.click(),
        "wait_url": page.wait_for_url,
        "wait_selector": lambda selector: page.locator(selector).first.wait_for(),
        "verify": lambda selector, text: page.locator(selector).filter(has_text=text).first.wait_for(),
    }
    await calls[step.kind](*step.args)


async def _failure_async(
    page: AsyncPage, alias: str, index: int, step: Step, directory: str | None, error: Exception
) -> LoginError:
    try:
        text = await page.locator("body").inner_text(timeout=2000)
    except Exception:
        text = ""
    shot: str | None = screenshot_path(directory, alias, index)
    try:
        await page.screenshot(path=shot, full_page=True, timeout=5000)
    except Exception:
        shot = None
    return LoginError(alias, index, step.description, page.url, page_text(text), shot, error)


def log_in_sync(
    browser: SyncBrowser,
    plans: LoginPlanResponse,
    *,
    flow: str,
    targets: list[str] | None,
    context: SyncBrowserContext | None,
    retries: int,
    retry_delay_ms: int,
    step_timeout: float,
    screenshots_dir: str | None,
    record: Callable[[str, str, bool, str | None], None],
) -> LoginResult:
    """As `log_in`, one environment after the other (Playwright's sync API drives one page at a time)."""
    wanted = wanted_plans(plans, flow, targets)
    owned = context is None
    used = browser.new_context() if context is None else context
    try:
        pages: dict[str, SyncPage] = {}
        for plan, login in wanted:
            page = used.new_page()
            page.set_default_timeout(step_timeout * 1000)
            pages[plan.alias] = page
            for attempt in range(retries + 1):
                try:
                    for index, step in enumerate(steps_of(plan, login)):
                        try:
                            _run_sync(page, step)
                        except Exception as error:
                            raise _failure_sync(page, plan.alias, index, step, screenshots_dir, error) from error
                except LoginError as failure:
                    if attempt < retries:
                        time.sleep(retry_delay_ms / 1000)
                        continue
                    record(plan.job_id, flow, False, str(failure))
                    raise
                record(plan.job_id, flow, True, None)
                break
        return LoginResult(pages=pages, context=used)
    except BaseException:
        if owned:
            used.close()
        raise


def _run_sync(page: SyncPage, step: Step) -> None:
    calls: dict[str, Callable[..., Any]] = {
        "goto": page.goto,
        "fill": lambda selector, value: page.locator(selector).first.fill(value),
        "click": lambda selector: page.locator(selector).first.click(),
        "wait_url": page.wait_for_url,
        "wait_selector": lambda selector: page.locator(selector).first.wait_for(),
        "verify": lambda selector, text: page.locator(selector).filter(has_text=text).first.wait_for(),
    }
    calls[step.kind](*step.args)


def _failure_sync(
    page: SyncPage, alias: str, index: int, step: Step, directory: str | None, error: Exception
) -> LoginError:
    try:
        text = page.locator("body").inner_text(timeout=2000)
    except Exception:
        text = ""
    shot: str | None = screenshot_path(directory, alias, index)
    try:
        page.screenshot(path=shot, full_page=True, timeout=5000)
    except Exception:
        shot = None
    return LoginError(alias, index, step.description, page.url, page_text(text), shot, error)
