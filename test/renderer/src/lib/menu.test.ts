import { describe, expect, it } from 'vitest';
import { buttonKey, menuKey } from '../../../../renderer/src/lib/menu';

describe('a menu button’s keys', () => {
  it('opens on the first choice with Enter, Space or ↓, on the last with ↑', () => {
    expect(['Enter', ' ', 'ArrowDown'].map(buttonKey)).toEqual(['first', 'first', 'first']);
    expect(buttonKey('ArrowUp')).toBe('last');
    expect(buttonKey('a')).toBeNull();
  });

  it('moves with the arrows (wrapping), jumps with Home and End, chooses with Enter or Space, closes with Escape or Tab', () => {
    expect(menuKey('ArrowDown', 0, 4)).toEqual({ type: 'move', index: 1 });
    expect(menuKey('ArrowDown', 3, 4)).toEqual({ type: 'move', index: 0 });
    expect(menuKey('ArrowUp', 0, 4)).toEqual({ type: 'move', index: 3 });
    expect(menuKey('Home', 2, 4)).toEqual({ type: 'move', index: 0 });
    expect(menuKey('End', 0, 4)).toEqual({ type: 'move', index: 3 });
    expect(menuKey('Enter', 1, 4)).toEqual({ type: 'choose' });
    expect(menuKey(' ', 1, 4)).toEqual({ type: 'choose' });
    expect(menuKey('Escape', 1, 4)).toEqual({ type: 'close', refocus: true });
    expect(menuKey('Tab', 1, 4)).toEqual({ type: 'close', refocus: false });
    expect(menuKey('x', 1, 4)).toBeNull();
    expect(menuKey('ArrowDown', 0, 0)).toBeNull();
    expect(menuKey('Escape', 0, 0)).toEqual({ type: 'close', refocus: true });
  });
});
