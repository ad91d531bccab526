/**
 * The window's frame: navigation, the tunnel and DND status, the "URL changed" and "Restart to update" banners,
 * and the views.
 * App state comes from main at start and by push; nothing is polled. The frame's state and its talk with main
 * are `lib/use-app-frame.ts`.
 */
import { hasBridge } from './api';
import { ErrorBox } from './components/error-box';
import { Sidebar } from './components/sidebar';
import { Spinner } from './components/spinner';
import { UpdateBanner } from './components/update-banner';
import { UrlChangedBanner } from './components/url-changed-banner';
import { ProvidersContext } from './lib/providers';
import { useAppFrame } from './lib/use-app-frame';
import { useUpdateState } from './lib/updates';
import { ErrorsView } from './views/errors-view';
import { InspectorView } from './views/inspector-view';
import { SettingsView as SettingsPage } from './views/settings-view';
import { SetupView } from './views/setup-view';

/** The window: a spinner until main answers, why it could not if it could not, then the sidebar and a view. */
export function App() {
  const frame = useAppFrame();
  const update = useUpdateState();
  const { state, settings, view, onSettings } = frame;
  if (frame.error && !state) {
    return (
      <div className="app-loading">
        <ErrorBox message={frame.error} onRetry={hasBridge() ? frame.reload : undefined} />
      </div>
    );
  }
  if (!state || !view) {
    return (
      <div className="app-loading">
        <Spinner label="Starting Crashbell" />
      </div>
    );
  }
  return (
    // Names and badges of providers come from main's registry, for every view below.
    <ProvidersContext value={state.providers}>
      <div className="app">
        <Sidebar state={state} settings={settings} view={view} onShow={frame.show} />
        <main className="content">
          {state.urlChanged && <UrlChangedBanner state={state} onSetup={() => frame.show('setup')} />}
          <UpdateBanner state={update} />
          {view === 'errors' && (
            <ErrorsView
              state={state}
              openRequest={frame.openRequest}
              onOpenHandled={frame.openHandled}
              onGoToSetup={() => frame.show('setup')}
            />
          )}
          {view === 'setup' && <SetupView state={state} settings={settings} onSettings={onSettings} />}
          {view === 'inspector' && <InspectorView state={state} />}
          {view === 'settings' && <SettingsPage state={state} settings={settings} onSettings={onSettings} update={update} />}
        </main>
      </div>
    </ProvidersContext>
  );
}
