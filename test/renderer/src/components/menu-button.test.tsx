// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MenuButton } from '../../../../renderer/src/components/menu-button';

afterEach(cleanup);

function menu() {
  const chosen: string[] = [];
  const choices = ['For 1 hour', 'For 8 hours', 'For 24 hours'].map((label) => ({
    id: label,
    label,
    onChoose: vi.fn(() => chosen.push(label)),
  }));
  render(
    <div>
      <MenuButton label="Snooze" choices={choices} />
      <p>outside</p>
    </div>,
  );
  return { button: screen.getByRole('button', { name: 'Snooze' }), chosen };
}

describe('MenuButton', () => {
  it('says it opens a menu; ↓ opens it on the first choice, arrows move and wrap, Enter chooses and focus returns', () => {
    const { button, chosen } = menu();
    expect(button.getAttribute('aria-haspopup')).toBe('menu');
    expect(button.getAttribute('aria-expanded')).toBe('false');
    fireEvent.keyDown(button, { key: 'ArrowDown' });
    const list = screen.getByRole('menu', { name: 'Snooze' });
    expect(button.getAttribute('aria-expanded')).toBe('true');
    expect(button.getAttribute('aria-controls')).toBe(list.id);
    const items = screen.getAllByRole('menuitem');
    expect(document.activeElement).toBe(items[0]);
    fireEvent.keyDown(list, { key: 'ArrowUp' });
    expect(document.activeElement).toBe(items[2]);
    fireEvent.keyDown(list, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(items[0]);
    fireEvent.keyDown(list, { key: 'ArrowDown' });
    fireEvent.keyDown(list, { key: 'Enter' });
    expect(chosen).toEqual(['For 8 hours']);
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(button);
  });

  it('↑ opens it on the last choice; Escape closes it, choosing nothing, with focus back on the button', () => {
    const { button, chosen } = menu();
    fireEvent.keyDown(button, { key: 'ArrowUp' });
    expect(document.activeElement?.textContent).toBe('For 24 hours');
    fireEvent.keyDown(screen.getByRole('menu'), { key: 'End' });
    fireEvent.keyDown(screen.getByRole('menu'), { key: 'Home' });
    expect(document.activeElement?.textContent).toBe('For 1 hour');
    fireEvent.keyDown(screen.getByRole('menu'), { key: 'Escape' });
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(button);
    expect(chosen).toEqual([]);
  });

  it('a click opens and chooses; a click outside closes it', () => {
    const { button, chosen } = menu();
    fireEvent.click(button);
    fireEvent.click(screen.getByRole('menuitem', { name: 'For 24 hours' }));
    expect(chosen).toEqual(['For 24 hours']);
    fireEvent.click(button);
    expect(screen.getByRole('menu')).toBeTruthy();
    fireEvent.mouseDown(screen.getByText('outside'));
    expect(screen.queryByRole('menu')).toBeNull();
  });

  it('opens nothing while busy, yet stays in the tab order', () => {
    const choices = [{ id: 'a', label: 'A', onChoose: vi.fn() }];
    render(<MenuButton label="Snooze" choices={choices} busy />);
    const button = screen.getByRole('button', { name: 'Snooze' });
    expect(button.getAttribute('aria-disabled')).toBe('true');
    expect((button as HTMLButtonElement).disabled).toBe(false);
    fireEvent.keyDown(button, { key: 'Enter' });
    fireEvent.click(button);
    expect(screen.queryByRole('menu')).toBeNull();
  });
});
