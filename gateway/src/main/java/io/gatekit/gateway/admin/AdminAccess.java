package io.gatekit.gateway.admin;

import io.gatekit.api.Nullable;
import io.gatekit.api.http.QueryParams;
import java.lang.System.Logger.Level;
import java.util.List;

/**
 * Who may use the Admin API, as a decorator around the endpoints (in the style of Armeria's
 * {@code AuthService}): the endpoints behind it never ask who is calling.
 * <ol>
 *   <li>{@code allow_admin}: a client outside every CIDR gets 403.</li>
 *   <li>{@code HEAD /apisix/admin}, the liveness probe, needs no key, as in APISIX.</li>
 *   <li>The key, taken as APISIX takes it ({@code api_key} argument, else {@code X-API-KEY}, else
 *       the {@code x_api_key} cookie), must be one of the {@link KeyRing}'s; 401 otherwise, unless
 *       no key is presented and missing keys are accepted.</li>
 *   <li>A {@link AdminApi.Role#VIEWER} key may only read: {@code GET}, and the two {@code POST}s
 *       that change nothing ({@code /schema/validate/...}, {@code /explain}).</li>
 * </ol>
 */
final class AdminAccess implements AdminService {

    private static final System.Logger LOG = System.getLogger(AdminAccess.class.getName());

    private final AdminService delegate;
    private final AllowAdmin allowAdmin;
    private final KeyRing keys;
    private final boolean acceptMissingKey;

    private AdminAccess(AdminService delegate, AllowAdmin allowAdmin, KeyRing keys, boolean acceptMissingKey) {
        this.delegate = delegate;
        this.allowAdmin = allowAdmin;
        this.keys = keys;
        this.acceptMissingKey = acceptMissingKey;
    }

    /** {@code delegate}, answered only for the clients and keys allowed. */
    static AdminService decorate(AdminService delegate, AllowAdmin allowAdmin, KeyRing keys,
            boolean acceptMissingKey) {
        return new AdminAccess(delegate, allowAdmin, keys, acceptMissingKey);
    }

    @Override
    public AdminResponse serve(AdminCall call) {
        AdminRequest request = call.request();
        if (!allowAdmin.allows(request.remoteIp())) {
            LOG.log(Level.WARNING, "Admin API refused " + request.remoteIp() + ": not in allow_admin");
            throw AdminError.of(403, "access to the Admin API is not allowed from " + request.remoteIp()
                    + " (not in allow_admin)");
        }
        if (!call.segments().isEmpty()) {
            authenticate(request, call.query(), readsOnly(call.method(), call.segments()));
        }
        return delegate.serve(call);
    }

    private static boolean readsOnly(String method, List<String> segments) {
        if (method.equals("GET")) {
            return true;
        }
        boolean dryRun = segments.get(0).equals("explain")
                || segments.get(0).equals("schema") && segments.size() > 1 && segments.get(1).equals("validate");
        return method.equals("POST") && dryRun;
    }

    private void authenticate(AdminRequest request, QueryParams query, boolean readsOnly) {
        String presented = presentedKey(request, query);
        if (presented == null) {
            if (acceptMissingKey) {
                return;
            }
            throw refused(request, "missing apikey");
        }
        KeyRing.Entry entry = keys.lookup(presented);
        if (entry == null) {
            throw refused(request, "wrong apikey");
        }
        if (entry.role() == AdminApi.Role.VIEWER && !readsOnly) {
            throw refused(request, "invalid method for role viewer");
        }
    }

    private static AdminError refused(AdminRequest request, String why) {
        LOG.log(Level.WARNING, "failed to check token: " + why + " (" + request.method() + " " + request.path()
                + " from " + request.remoteIp() + ")");
        return AdminError.unauthorized(why);
    }

    /** APISIX: {@code arg_api_key or http_x_api_key or cookie_x_api_key}; an empty value counts. */
    private static @Nullable String presentedKey(AdminRequest request, QueryParams query) {
        for (int i = 0; i < query.size(); i++) {
            if (query.name(i).equalsIgnoreCase("api_key")) {
                return query.value(i);
            }
        }
        String header = request.headers().get("X-API-KEY");
        if (header != null) {
            return header;
        }
        for (String cookies : request.headers().all("Cookie")) {
            for (String cookie : cookies.split(";")) {
                int eq = cookie.indexOf('=');
                if (eq > 0 && cookie.substring(0, eq).trim().equalsIgnoreCase("x_api_key")) {
                    return cookie.substring(eq + 1).trim();
                }
            }
        }
        return null;
    }
}
