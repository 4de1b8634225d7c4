import { describe, expect, it } from "vitest";
import { Flow, type EnvState, type LoginFlow } from "@terrarium/wire";
import { mutationsOf, withMutations, withSuccess } from "../src/http/answers.js";
import { literalOf, platoLoginFlow } from "../src/http/login-flows.js";

const state: EnvState = {
  env: "forge",
  dbs: [
    {
      name: "repository",
      engine: "sqlite",
      database: "/data/project.fossil",
      capture: { method: "snapshot", cut: "2025-01-01T00:00:00.000Z" },
      tables: {},
      changes: [
        {
          id: "forge:1",
          table: "ticket",
          op: "insert",
          pk: { tkt_id: 7 },
          before: null,
          after: { tkt_id: 7, title: "x" },
        },
        {
          id: "forge:2",
          table: "user",
          op: "update",
          pk: { uid: 3 },
          before: { uid: 3, cap: "a" },
          after: { uid: 3, cap: "b" },
          changed: ["cap"],
        },
        {
          id: "forge:3",
          table: "tag",
          op: "delete",
          pk: { tagid: 9 },
          before: { tagid: 9, tagname: "y" },
          after: null,
        },
        // PostgreSQL without REPLICA IDENTITY FULL: a delete shows its primary key only.
        { id: "forge:4", table: "public.t", op: "delete", pk: { id: 1 }, before: null, after: null },
      ],
    },
  ],
  files: [],
  warnings: [],
};

describe("state as Plato's mutations", () => {
  it("lists every row change with table_name, an upper-case action and the row's values", () => {
    expect(mutationsOf(state)).toEqual([
      {
        table_name: "ticket",
        action: "INSERT",
        values: { tkt_id: 7, title: "x" },
        old_values: null,
        primary_key: { tkt_id: 7 },
        db: "repository",
        change_id: "forge:1",
      },
      {
        table_name: "user",
        action: "UPDATE",
        values: { uid: 3, cap: "b" },
        old_values: { uid: 3, cap: "a" },
        primary_key: { uid: 3 },
        db: "repository",
        change_id: "forge:2",
      },
      {
        table_name: "tag",
        action: "DELETE",
        values: { tagid: 9, tagname: "y" },
        old_values: { tagid: 9, tagname: "y" },
        primary_key: { tagid: 9 },
        db: "repository",
        change_id: "forge:3",
      },
      {
        table_name: "public.t",
        action: "DELETE",
        values: { id: 1 },
        old_values: null,
        primary_key: { id: 1 },
        db: "repository",
        change_id: "forge:4",
      },
    ]);
  });

  it("answers success, a null state and no mutation when the state could not be read", () => {
    expect(withMutations({ error: "the environment is failed" })).toEqual({
      success: false,
      state: null,
      mutations: [],
      error: "the environment is failed",
    });
    expect(withMutations({ state })).toMatchObject({ success: true, state, mutations: mutationsOf(state) });
  });
});

describe("execute's success", () => {
  const result = {
    stdout: "",
    stderr: "",
    timed_out: false,
    truncated: false,
    stdout_lossy: false,
    stderr_lossy: false,
  };
  it("is an exit status of 0 with no error", () => {
    expect(withSuccess({ ...result, exit_code: 0 }).success).toBe(true);
    expect(withSuccess({ ...result, exit_code: 3 }).success).toBe(false);
    expect(withSuccess({ ...result, exit_code: null, timed_out: true }).success).toBe(false);
    expect(
      withSuccess({ ...result, exit_code: 0, error: "the environment was reset while the command ran" }).success,
    ).toBe(false);
  });
});

describe("a simulator's login as Plato's login flow", () => {
  const login: LoginFlow = {
    username: "admin",
    password: "secret",
    steps: [
      { goto: "/login" },
      { fill: { selector: "#username", value: "{username}" } },
      { fill: { selector: "#password", value: "{password}" } },
      { click: "#login-submit" },
      { wait_for: { url: "**/my/page" } },
      { wait_for: { selector: "#loggedas" } },
      { verify: { selector: "#loggedas", text: "Logged in as {username}" } },
    ],
  };

  it("has the same steps, credentials filled in, the password never in a description", () => {
    const flow = platoLoginFlow("redmine", login);
    expect(Flow.parse(flow)).toEqual(flow);
    expect(flow.name).toBe("login");
    expect(flow.steps.map((s) => s.type)).toEqual([
      "navigate",
      "fill",
      "fill",
      "click",
      "wait_for_url",
      "wait_for_selector",
      "wait_for_selector",
      "verify",
    ]);
    expect(flow.steps[0]).toMatchObject({ url: "/login" });
    expect(flow.steps[1]).toMatchObject({ selector: "#username", value: "admin" });
    expect(flow.steps[2]).toMatchObject({ selector: "#password", value: "secret" });
    expect(flow.steps.map((s) => s.description).join(" ")).not.toContain("secret");
    expect(flow.steps[4]).toMatchObject({ url_contains: "/my/page" });
    // Plato reads the element at once: a wait for it comes first.
    expect(flow.steps.slice(6)).toEqual([
      expect.objectContaining({ type: "wait_for_selector", selector: "#loggedas" }),
      expect.objectContaining({ verify_type: "element_text", selector: "#loggedas", text: "Logged in as admin" }),
    ]);
  });

  it("waits for a URL containing the glob's longest literal part", () => {
    expect(literalOf("**/home")).toBe("/home");
    expect(literalOf("**/projects/*/issues")).toBe("/projects/");
    expect(literalOf("/index.php?title=Main")).toBe("/index.php");
  });
});
