import type { Solution } from "@terrarium/sdk";

const ALICE_KEY = "ea772078475384da42815b1183852681f2bb2bb9"; // documented in simulators/redmine/README.md

/** Reads the open issues of Dispatch 2.4 over Redmine's REST API; `all` includes closed ones. */
async function issuesOf(base: string, all: boolean): Promise<string[]> {
  const headers = { "x-redmine-api-key": ALICE_KEY };
  const versions = (await (await fetch(`${base}/projects/dispatch/versions.json`, { headers })).json()) as {
    versions: { id: number; name: string }[];
  };
  const version = versions.versions.find((v) => v.name === "2.4")!;
  const status = all ? "*" : "open";
  const answer = (await (
    await fetch(
      `${base}/issues.json?project_id=dispatch&fixed_version_id=${version.id}&status_id=${status}&limit=100`,
      {
        headers,
      },
    )
  ).json()) as { issues: { subject: string }[] };
  return answer.issues.map((i) => i.subject);
}

/** Creates a wiki page over MediaWiki's action API, logged in as alice. */
async function writePage(base: string, title: string, text: string): Promise<void> {
  const cookies = new Map<string, string>();
  const call = async (params: Record<string, string>, post = false) => {
    const body = new URLSearchParams({ format: "json", ...params });
    const response = await fetch(`${base}/api.php${post ? "" : `?${body}`}`, {
      method: post ? "POST" : "GET",
      headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
      body: post ? body : undefined,
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const i = pair!.indexOf("=");
      cookies.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
    return (await response.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const loginToken = (await call({ action: "query", meta: "tokens", type: "login" })).query.tokens.logintoken;
  const login = await call(
    {
      action: "clientlogin",
      username: "alice",
      password: "alice-password",
      logintoken: loginToken,
      loginreturnurl: base,
    },
    true,
  );
  if (login.clientlogin?.status !== "PASS") throw new Error(`wiki login failed: ${JSON.stringify(login)}`);
  const token = (await call({ action: "query", meta: "tokens" })).query.tokens.csrftoken;
  const edit = await call(
    { action: "edit", title, text, summary: "Dispatch 2.4 status", createonly: "1", token },
    true,
  );
  if (edit.edit?.result !== "Success") throw new Error(`edit failed: ${JSON.stringify(edit)}`);
}

export const solve: Solution = async ({ urls }) => {
  const subjects = await issuesOf(urls.pm!, false);
  await writePage(urls.wiki!, "Dispatch 2.4 open issues", subjects.map((s) => `* ${s}`).join("\n"));
};

/** The plausible mistake: every issue of the version, the closed one too. */
export const wrong: Solution = async ({ urls }) => {
  const subjects = await issuesOf(urls.pm!, true);
  await writePage(urls.wiki!, "Dispatch 2.4 open issues", subjects.map((s) => `* ${s}`).join("\n"));
};
