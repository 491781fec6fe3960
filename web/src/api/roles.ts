// The roles list, shared by the pages that show roles (the users page's role picker and the
// roles page): one cache entry, so a role defined on one page is offered on the other.
import { queryOptions } from '@tanstack/react-query';
import { api, unwrap } from './client';

export const rolesQuery = queryOptions({ queryKey: ['roles'], queryFn: () => unwrap(api.GET('/api/v1/roles')) });
