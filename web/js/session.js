// The signed-in user, as /api/me reports it. null when signed out.
import { api, ApiError } from './api.js';

let current = null;

export function currentUser() {
  return current;
}

export async function refreshUser() {
  try {
    current = await api.me();
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 401) throw err;
    current = null;
  }
  return current;
}

export function forgetUser() {
  current = null;
}

export const canInvite = (user) => !!user && (user.role === 'admin' || user.role === 'mentor');
export const isAdmin = (user) => !!user && user.role === 'admin';
