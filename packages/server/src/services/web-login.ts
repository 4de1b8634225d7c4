import { parse } from "node-html-parser";

export interface LoginOutcome {
  ok: boolean;
  detail: string;
  /** Cookies of the logged-in browser session, as a Cookie header. */
  cookie: string;
}

/**
 * Logs in through an app's own HTML login form, as a browser would: loads the page, fills the form
 * that has a password field (user name in the text field before it, hidden fields such as CSRF
 * tokens kept), submits it with the cookies and a same-origin Referer, and follows redirects.
 * Success means the app answered the submission with a redirect or a page without the password form.
 */
export async function webLogin(base: string, path: string, username: string, password: string): Promise<LoginOutcome> {
  const jar = new Map<string, string>();
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const remember = (response: Response) => {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const index = pair!.indexOf("=");
      if (index > 0) jar.set(pair!.slice(0, index).trim(), pair!.slice(index + 1).trim());
    }
  };
  const get = async (url: string) => {
    let current = url;
    for (let hop = 0; hop < 10; hop++) {
      const response = await fetch(current, {
        headers: { cookie: cookie() },
        redirect: "manual",
        signal: AbortSignal.timeout(10_000),
      });
      remember(response);
      const location = response.headers.get("location");
      if (response.status >= 300 && response.status < 400 && location) {
        await response.arrayBuffer();
        current = new URL(location, current).toString();
        continue;
      }
      return { url: current, status: response.status, html: await response.text() };
    }
    throw new Error(`too many redirects from ${url}`);
  };

  const page = await get(new URL(path, base).toString());
  const form = parse(page.html)
    .querySelectorAll("form")
    .find((f) => f.querySelector('input[type="password"]'));
  if (!form)
    return { ok: false, detail: `no form with a password field at ${path} (HTTP ${page.status})`, cookie: cookie() };
  const fields = new URLSearchParams();
  const inputs = form.querySelectorAll("input");
  const passwordIndex = inputs.findIndex((i) => i.getAttribute("type") === "password");
  const userField = inputs
    .slice(0, passwordIndex)
    .reverse()
    .find((i) => ["text", "email", null, undefined].includes(i.getAttribute("type")));
  let submitted = false;
  for (const input of inputs) {
    const name = input.getAttribute("name");
    const type = (input.getAttribute("type") ?? "text").toLowerCase();
    if (!name) continue;
    if (input === inputs[passwordIndex]) fields.set(name, password);
    else if (input === userField) fields.set(name, username);
    else if (type === "submit") {
      if (!submitted) fields.set(name, input.getAttribute("value") ?? "");
      submitted = true;
    } else if (type === "checkbox" || type === "radio") {
      if (input.hasAttribute("checked")) fields.set(name, input.getAttribute("value") ?? "on");
    } else fields.set(name, input.getAttribute("value") ?? "");
  }
  const button = form.querySelector('button[type="submit"][name], button:not([type])[name]');
  if (!submitted && button) fields.set(button.getAttribute("name")!, button.getAttribute("value") ?? "");
  const action = new URL(form.getAttribute("action") ?? page.url, page.url).toString();
  const response = await fetch(action, {
    method: (form.getAttribute("method") ?? "POST").toUpperCase(),
    headers: {
      cookie: cookie(),
      referer: page.url,
      origin: new URL(page.url).origin,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: fields,
    redirect: "manual",
    signal: AbortSignal.timeout(10_000),
  });
  remember(response);
  const location = response.headers.get("location");
  const body = await response.text();
  if (response.status >= 300 && response.status < 400 && location) {
    await get(new URL(location, action).toString());
    return {
      ok: true,
      detail: `logged in as ${username}: ${response.status} to ${new URL(location, action).pathname}`,
      cookie: cookie(),
    };
  }
  const stillThere = parse(body).querySelector('input[type="password"]');
  return stillThere || response.status >= 400
    ? { ok: false, detail: `login as ${username} was refused (HTTP ${response.status})`, cookie: cookie() }
    : { ok: true, detail: `logged in as ${username} (HTTP ${response.status})`, cookie: cookie() };
}
