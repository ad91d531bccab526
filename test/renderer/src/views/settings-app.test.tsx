// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SettingsSave } from '../../../../renderer/src/lib/use-settings-save';
import { ClaimsCard } from '../../../../renderer/src/views/settings-app';
import { settingsView } from '../../../helpers/fake-api';

afterEach(cleanup);

describe('ClaimsCard', () => {
  it('sets how long a claim holds, committed on Enter', () => {
    const save = { apply: vi.fn(), report: vi.fn(), fail: vi.fn(), saving: false, saved: null, error: null } as unknown as SettingsSave;
    render(<ClaimsCard settings={{ ...settingsView(), claimHours: 4 }} save={save} />);
    const field = screen.getByLabelText('A claim holds for this many hours') as HTMLInputElement;
    expect(field.value).toBe('4');
    fireEvent.change(field, { target: { value: '12' } });
    fireEvent.keyDown(field, { key: 'Enter' });
    expect(save.apply).toHaveBeenCalledWith({ claimHours: 12 }, 'Claims now hold for 12 h');
  });
});
