/**
 * Every invoke channel → the app service, each with the zod schema its arguments must match. The renderer is
 * trusted code, but it shows text that came from the internet: if it were ever subverted, main still accepts
 * only well-formed calls.
 */
import { z, type ZodType } from 'zod';
import { PROVIDER_IDS } from '../shared/events';
import { INVOKE_CHANNELS, type InvokeArgs, type InvokeChannel } from '../shared/ipc';
import { THEMES, sourceFiltersSchema } from '../shared/settings';
import type { AppCalls } from './core/app-service';
import { handle, type InvokeHandler, type IpcMainLike, type RegisterOptions } from './ipc-main';

const id = z.string().min(1).max(256);
const shortText = z.string().max(1_000);
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:MM');
const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO 8601 date');

/** Free-form provider config (the generic provider's mapping...), bounded in size. */
const configRecord = z
  .record(z.string().max(200), z.unknown())
  .refine((v) => JSON.stringify(v).length <= 64 * 1024, 'at most 64 KiB of configuration');
const credentials = z.record(z.string().min(1).max(200), z.string().max(10_000));

const groupQuery = z.strictObject({
  text: shortText.optional(),
  sourceId: id.optional(),
  provider: z.enum(PROVIDER_IDS).optional(),
  unread: z.boolean().optional(),
  muted: z.boolean().optional(),
  resolved: z.boolean().optional(),
  cursor: shortText.nullable().optional(),
  limit: z.number().int().min(1).max(1_000).optional(),
});

const groupMarks = z.strictObject({
  read: z.boolean().optional(),
  muted: z.boolean().optional(),
  resolved: z.boolean().optional(),
});

const newSource = z.strictObject({
  provider: z.enum(PROVIDER_IDS),
  name: z.string().trim().min(1).max(200),
  credentials: credentials.optional(),
  config: configRecord.optional(),
});

const sourcePatch = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  paused: z.boolean().optional(),
  credentials: credentials.optional(),
  config: configRecord.optional(),
  filters: sourceFiltersSchema.optional(),
});

const settingsPatch = z.strictObject({
  port: z.number().int().min(0).max(65_535).optional(),
  pausedAll: z.boolean().optional(),
  policy: z
    .strictObject({
      notifyNewGroups: z.boolean().optional(),
      notifyFirstOccurrence: z.boolean().optional(),
      notifyOnRegression: z.boolean().optional(),
      quietHours: z
        .number()
        .min(0)
        .max(24 * 365)
        .optional(),
      milestones: z.array(z.number().int().positive()).max(50).optional(),
      stormLimit: z.number().int().min(1).max(1_000).optional(),
      stormWindowSeconds: z.number().int().min(1).max(86_400).optional(),
    })
    .optional(),
  dnd: z
    .strictObject({
      until: isoDate.nullable().optional(),
      quietWindow: z.strictObject({ enabled: z.boolean(), start: hhmm, end: hhmm }).optional(),
    })
    .optional(),
  retention: z
    .strictObject({
      maxGroups: z.number().int().min(1).max(1_000_000).optional(),
      maxDays: z.number().min(1).max(36_500).optional(),
    })
    .optional(),
  tunnel: z
    .strictObject({
      enabled: z.boolean().optional(),
      domain: z.string().trim().max(253).optional(),
      authtoken: z.string().trim().max(512).optional(),
    })
    .optional(),
  startAtLogin: z.boolean().optional(),
  theme: z.enum(THEMES).optional(),
  onboarded: z.boolean().optional(),
});

/** The argument tuple every channel accepts. Exported for tests and for the e2e harness. */
export const ARG_SCHEMAS: { [C in InvokeChannel]: ZodType<InvokeArgs<C>> } = {
  'app:get-state': z.tuple([]),
  'groups:list': z.tuple([groupQuery]),
  'groups:get': z.tuple([id]),
  'groups:mark': z.tuple([id, groupMarks]),
  'groups:open': z.tuple([id]),
  'sources:add': z.tuple([newSource]),
  'sources:update': z.tuple([id, sourcePatch]),
  'sources:remove': z.tuple([id]),
  'sources:send-test': z.tuple([id]),
  'requests:list': z.tuple([]),
  'requests:replay': z.tuple([id]),
  'settings:get': z.tuple([]),
  'settings:update': z.tuple([settingsPatch]),
  'dnd:set': z.tuple([z.enum(['off', '1h', 'tomorrow'])]),
  'tunnel:reconnect': z.tuple([]),
  'clipboard:copy': z.tuple([z.string().max(100_000), z.strictObject({ sourceId: id.optional(), webhookUrl: z.boolean().optional() })]),
  'link:open': z.tuple([z.string().max(100_000)]),
  'sources:preview-mapping': z.tuple([id, configRecord.nullable()]),
};

/** One handler per invoke channel: what the app service provides (adapted in `index.ts`). */
export type IpcService = { [C in InvokeChannel]: InvokeHandler<C> };

/** Maps each channel to the app service's method of the same meaning (the preload's names, in reverse). */
export function serviceHandlers(service: AppCalls): IpcService {
  return {
    'app:get-state': () => service.getState(),
    'groups:list': (query) => service.listGroups(query),
    'groups:get': (groupId) => service.getGroup(groupId),
    'groups:mark': (groupId, marks) => service.markGroup(groupId, marks),
    'groups:open': (groupId) => service.openGroup(groupId),
    'sources:add': (input) => service.addSource(input),
    'sources:update': (sourceId, patch) => service.updateSource(sourceId, patch),
    'sources:remove': (sourceId) => service.removeSource(sourceId),
    'sources:send-test': (sourceId) => service.sendTestEvent(sourceId),
    'requests:list': () => service.listRequests(),
    'requests:replay': (requestId) => service.replayRequest(requestId),
    'settings:get': () => service.getSettings(),
    'settings:update': (patch) => service.updateSettings(patch),
    'dnd:set': (mode) => service.setDnd(mode),
    'tunnel:reconnect': () => service.reconnectTunnel(),
    'clipboard:copy': (text, what) => service.copy(text, what),
    'link:open': (url) => service.openLink(url),
    'sources:preview-mapping': (sourceId, config) => service.previewMapping(sourceId, config),
  };
}

/** Registers every invoke channel; returns a function that removes them all (for quit and tests). */
export function registerIpcHandlers(ipc: IpcMainLike, service: IpcService, options: RegisterOptions): () => void {
  for (const channel of INVOKE_CHANNELS) register(ipc, channel, service, options);
  return () => {
    for (const channel of INVOKE_CHANNELS) ipc.removeHandler(channel);
  };
}

function register<C extends InvokeChannel>(ipc: IpcMainLike, channel: C, service: IpcService, options: RegisterOptions): void {
  const handler = service[channel] as InvokeHandler<C>;
  handle(ipc, channel, ARG_SCHEMAS[channel] as ZodType<InvokeArgs<C>>, handler, options);
}
