import { describe, expect, expectTypeOf, it } from 'vitest';
import type { GroupStateChange, RequestRecord } from '../../shared/events';
import {
  API_NAMES,
  type AppState,
  CALL_NAMES,
  type CallArgs,
  type CrashbellApi,
  EVENT_CHANNELS,
  type EventChannels,
  INVOKE_CHANNELS,
  type InvokeArgs,
  type InvokeChannel,
  type InvokeResult,
  IPC,
  type NavigateRequest,
  PUSH_NAMES,
  type SourcePatch,
  type SourceView,
  type Unsubscribe,
} from '../../shared/ipc';

describe('the IPC table', () => {
  it('gives every call and push a channel of its own', () => {
    const channels = API_NAMES.map((name) => IPC[name].channel);
    expect(new Set(channels).size).toBe(channels.length);
    for (const channel of channels) expect(channel).toMatch(/^[a-z]+(?::[a-z-]+)?$/);
  });

  it('derives the channel lists and name lists from the table, in its order', () => {
    expect([...CALL_NAMES, ...PUSH_NAMES].sort()).toEqual([...API_NAMES].sort());
    expect(INVOKE_CHANNELS).toEqual(API_NAMES.filter((n) => IPC[n].kind === 'call').map((n) => IPC[n].channel));
    expect(EVENT_CHANNELS).toEqual(API_NAMES.filter((n) => IPC[n].kind === 'push').map((n) => IPC[n].channel));
    expect(INVOKE_CHANNELS).toContain('app:get-state');
    expect(EVENT_CHANNELS).toEqual([
      'state:changed',
      'group:updated',
      'group:removed',
      'groups:reset',
      'request:recorded',
      'notification:raised',
      'navigate',
      'group:state',
      'update:state',
    ]);
    for (const name of PUSH_NAMES) expect(name).toMatch(/^on[A-Z]/);
  });

  it('derives the api, the channel types and the payloads (checked by the compiler)', () => {
    expectTypeOf<CrashbellApi['getState']>().toEqualTypeOf<() => Promise<AppState>>();
    expectTypeOf<CrashbellApi['updateSource']>().parameters.toEqualTypeOf<[sourceId: string, patch: SourcePatch]>();
    expectTypeOf<CrashbellApi['updateSource']>().returns.toEqualTypeOf<Promise<SourceView>>();
    expectTypeOf<CrashbellApi['removeSource']>().returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf<CrashbellApi['onNavigate']>().toEqualTypeOf<(listener: (payload: NavigateRequest) => void) => Unsubscribe>();
    expectTypeOf<CrashbellApi['onGroupState']>().toEqualTypeOf<(listener: (payload: GroupStateChange) => void) => Unsubscribe>();
    expectTypeOf<CrashbellApi['onRequestRecorded']>().parameters.toEqualTypeOf<[listener: (payload: RequestRecord) => void]>();
    expectTypeOf<InvokeArgs<'sources:update'>>().toEqualTypeOf<CallArgs<'updateSource'>>();
    expectTypeOf<InvokeResult<'app:get-state'>>().toEqualTypeOf<AppState>();
    expectTypeOf<EventChannels['state:changed']>().toEqualTypeOf<AppState>();
    expectTypeOf<'groups:list'>().toExtend<InvokeChannel>();
    expectTypeOf<'state:changed'>().not.toExtend<InvokeChannel>();
    expectTypeOf<keyof CrashbellApi>().toEqualTypeOf<(typeof API_NAMES)[number]>();
  });
});
