import type { Solution } from "@terrarium/sdk";
import { Redmine, type TimeEntry } from "./lib/redmine-api.js";

// Over the REST API: Bob's time entries on the Customer Portal, summed.
async function bobsEntries(base: string): Promise<TimeEntry[]> {
  const api = new Redmine(base);
  const bob = await api.userId("bob");
  const { time_entries } = await api.get<{ time_entries: TimeEntry[] }>(
    `/time_entries.json?project_id=portal&user_id=${bob}&limit=100`,
  );
  return time_entries;
}

const total = (entries: TimeEntry[]) => Math.round(entries.reduce((sum, e) => sum + e.hours, 0) * 100) / 100;

export const solve: Solution = async ({ urls }) => {
  const entries = await bobsEntries(urls.pm!);
  return {
    answer: `Bob Okafor has logged ${total(entries)} hours on the Customer Portal project (${entries.length} time entries).`,
  };
};

// Counts only the time logged on issues and misses the meeting logged on the project itself.
export const wrong: Solution = async ({ urls }) => {
  const entries = (await bobsEntries(urls.pm!)).filter((e) => e.issue);
  return { answer: `Bob Okafor has logged ${total(entries)} hours on the Customer Portal project.` };
};
