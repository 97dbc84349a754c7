/* Tests for the web domain's users, sessions and tokens and its route
 * table: argon2id hashes, refusals (short password, bad name, taken
 * name), a session that works until the password changes, a token that
 * works until its user is deleted, CSRF tokens unique per session, and
 * every route in the OpenAPI description with the right security. */
#include "../store/store_test_util.h"
#include "web/web_int.h"

static const struct vigil_store_schema *const web_list[] = {&vigil_web_schema};

static struct vigil_store *
open_web(char *dir, size_t n)
{
    struct vigil_store_opts o = {.schemas = web_list, .nschemas = 1};
    struct vigil_store *s = NULL;
    struct vigil_err err = {0};
    char path[256];

    st_tmpdir(dir, n);
    snprintf(path, sizeof(path), "%s/v.db", dir);
    assert_int_equal(vigil_store_open(&s, path, &o, &err), VIGIL_OK);
    return s;
}

static int
hash_row(const struct vigil_store_value *c, size_t n, void *arg)
{
    (void)n;
    snprintf(arg, 256, "%s", c[0].p);
    return 1;
}

static void
test_users(void **state)
{
    char dir[128], hash[256] = "", sid[65], sid2[65];
    struct vigil_store *s = open_web(dir, sizeof(dir));
    struct vigil_err err = {0};
    struct web_principal who, who2, chk;

    (void)state;
    assert_int_equal(
        vigil_web_user_add(s, "ana", "short", VIGIL_ROLE_ANALYST, &err),
        VIGIL_EINVAL);
    assert_int_equal(vigil_web_user_add(s, "a/b", "long enough pw",
                                        VIGIL_ROLE_ANALYST, &err),
                     VIGIL_EINVAL);
    assert_int_equal(vigil_web_user_add(s, "ana", "long enough pw",
                                        VIGIL_ROLE_ANALYST, &err),
                     VIGIL_OK);
    assert_int_equal(vigil_web_user_add(s, "ana", "another password",
                                        VIGIL_ROLE_VIEWER, &err),
                     VIGIL_ECONFLICT);
    /* names equal but for case, or with a trailing dot, read as one */
    assert_int_equal(vigil_web_user_add(s, "ANA", "another password",
                                        VIGIL_ROLE_VIEWER, &err),
                     VIGIL_ECONFLICT);
    assert_int_equal(vigil_web_user_add(s, "ana.", "another password",
                                        VIGIL_ROLE_VIEWER, &err),
                     VIGIL_EINVAL);
    /* a password over the maximum is refused, never cut */
    char longpw[VIGIL_WEB_PASSWORD_MAX + 2];
    memset(longpw, 'L', sizeof(longpw) - 1);
    longpw[sizeof(longpw) - 1] = '\0';
    assert_int_equal(
        vigil_web_user_add(s, "bob", longpw, VIGIL_ROLE_VIEWER, &err),
        VIGIL_EINVAL);
    longpw[VIGIL_WEB_PASSWORD_MAX] = '\0';
    assert_int_equal(
        vigil_web_user_add(s, "bob", longpw, VIGIL_ROLE_VIEWER, &err),
        VIGIL_OK);
    assert_int_equal(vigil_store_query(s, "SELECT hash FROM web_users", NULL, 0,
                                       hash_row, hash, &err),
                     VIGIL_OK);
    assert_true(strncmp(hash, "$argon2id$", 10) == 0);
    assert_null(strstr(hash, "long enough pw"));

    assert_int_equal(web_login(s, "ana", "wrong password", 60, sid, &who, &err),
                     VIGIL_EPERM);
    assert_int_equal(
        web_login(s, "nobody", "long enough pw", 60, sid, &who, &err),
        VIGIL_EPERM);
    assert_int_equal(web_login(s, "ana", "long enough pw", 60, sid, &who, &err),
                     VIGIL_OK);
    assert_int_equal(who.role, VIGIL_ROLE_ANALYST);
    assert_int_equal(
        web_login(s, "ana", "long enough pw", 60, sid2, &who2, &err), VIGIL_OK);
    assert_string_not_equal(sid, sid2);
    assert_string_not_equal(who.csrf, who2.csrf);
    assert_int_equal(web_session_check(s, sid, &chk, &err), VIGIL_OK);
    assert_string_equal(chk.user, "ana");
    assert_string_equal(chk.csrf, who.csrf);
    assert_int_equal(web_session_check(s, who.sid_hash, &chk, &err),
                     VIGIL_EPERM); /* the stored hash is not a session id */

    /* passwd ends sessions */
    assert_int_equal(vigil_web_user_passwd(s, "ana", "a new password", &err),
                     VIGIL_OK);
    assert_int_equal(web_session_check(s, sid, &chk, &err), VIGIL_EPERM);
    assert_int_equal(vigil_web_user_passwd(s, "nobody", "a new password", &err),
                     VIGIL_ENOTFOUND);

    /* tokens: work until the user goes */
    char tok[VIGIL_WEB_TOKEN_LEN + 1];
    assert_int_equal(vigil_web_token_new(s, "nobody", NULL, tok, &err),
                     VIGIL_ENOTFOUND);
    assert_int_equal(vigil_web_token_new(s, "ana", "ci", tok, &err), VIGIL_OK);
    assert_int_equal(strlen(tok), VIGIL_WEB_TOKEN_LEN);
    assert_int_equal(web_token_check(s, tok, &chk, &err), VIGIL_OK);
    assert_true(chk.by_token);
    tok[10] = tok[10] == 'a' ? 'b' : 'a';
    assert_int_equal(web_token_check(s, tok, &chk, &err), VIGIL_EPERM);
    tok[10] = tok[10] == 'a' ? 'b' : 'a';
    assert_int_equal(vigil_web_user_del(s, "ana", &err), VIGIL_OK);
    assert_int_equal(web_token_check(s, tok, &chk, &err), VIGIL_EPERM);
    assert_int_equal(vigil_web_user_del(s, "ana", &err), VIGIL_ENOTFOUND);
    vigil_store_close(s);
    st_rmtree(dir);
}

static void
test_routes(void **state)
{
    json_t *doc = web_openapi();
    json_t *paths = json_object_get(doc, "paths");

    (void)state;
    assert_non_null(paths);
    for (size_t i = 0; i < web_nroutes; i++) {
        const struct web_route *rt = &web_routes[i];
        char m[8];
        size_t k;
        for (k = 0; rt->method[k] && k < 7; k++)
            m[k] = (char)(rt->method[k] | 0x20);
        m[k] = '\0';
        json_t *op = json_object_get(json_object_get(paths, rt->pattern), m);
        assert_non_null(op);
        size_t nsec = json_array_size(json_object_get(op, "security"));
        assert_int_equal(nsec, rt->access == WEB_PUBLIC ? 0 : 2);
        /* the public few, by name: a new public route must be argued */
        if (rt->access == WEB_PUBLIC)
            assert_true(strcmp(rt->pattern, "/login") == 0 ||
                        strcmp(rt->pattern, "/assets/login.js") == 0 ||
                        strcmp(rt->pattern, "/assets/app.css") == 0 ||
                        strcmp(rt->pattern, "/api/openapi.json") == 0 ||
                        strcmp(rt->pattern, "/api/login") == 0);
        if (strcmp(rt->method, "GET") != 0 && rt->access != WEB_PUBLIC)
            assert_true(rt->access >= WEB_VIEWER);
    }
    json_decref(doc);
    assert_int_equal(vigil_web_role_parse("admin"), VIGIL_ROLE_ADMIN);
    assert_int_equal(vigil_web_role_parse("root"), VIGIL_ROLE_NONE);
    assert_string_equal(vigil_web_role_name(VIGIL_ROLE_VIEWER), "viewer");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_users),
        cmocka_unit_test(test_routes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
