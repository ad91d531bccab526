/**
 * Reading a page of list rows back as whole groups, for the inbox suites: a row carries only what a list
 * shows, so assertions on what it leaves out (group keys, hooks, raw bodies) go through `get`.
 */
import type { Group, GroupPage } from '../../shared/events';
import type { Inbox } from '../../main/core/inbox/inbox';

/** The whole groups behind a page's rows, in the page's order; fails on a row with no group behind it. */
export function groupsOf(inbox: Pick<Inbox, 'get'>, page: GroupPage): Group[] {
  return page.groups.map((row) => {
    const g = inbox.get(row.id);
    if (g === null) throw new Error(`the listed group ${row.id} is not there`);
    return g;
  });
}

/** The group keys of a page's rows, in the page's order. */
export function keysOf(inbox: Pick<Inbox, 'get'>, page: GroupPage): string[] {
  return groupsOf(inbox, page).map((g) => g.groupKey);
}
