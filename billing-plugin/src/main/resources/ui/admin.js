// The admin page's shell: the same sign-in as the user page; the admin view comes next.
import { ApiError, BILLING, announce, announceError, api, byId, setUpSignIn } from './common.js';

async function check() {
  announce('');
  try {
    await api(BILLING + '/admin/users?limit=1');
    byId('signed-in-as').textContent = 'Signed in as an admin';
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      signOut();
      announce('The token was refused: sign in again with a valid token.');
    } else if (error instanceof ApiError && error.status === 403) {
      announce('This token is not an admin\'s: the admin view needs the admin role.');
    } else {
      announceError('Could not reach the billing plugin', error);
    }
  }
}

const signOut = setUpSignIn(check);
