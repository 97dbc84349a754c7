/* daemon_schemas.c -- the list of every domain's tables this binary
 * knows, in migration order. The daemon and every command that writes to
 * the store open it with this one list, so they agree on each domain's
 * schema version (docs/store.md, "How a domain adds tables").
 *
 * A new domain adds its exported `struct vigil_store_schema` here, after
 * the domains its tables refer to.
 */
#include "daemon.h"
#include "disclose/disclose.h"
#include "evidence/evidence.h"
#include "fim/fim.h"
#include "incident/incident.h"
#include "respond/respond.h"
#include "store/store.h"
#include "web/web.h"

static const struct vigil_store_schema *const schemas[] = {
    &vigil_evidence_schema,
    &vigil_incident_schema, /* logs into the evidence tables */
    &vigil_respond_schema,
    &vigil_fim_schema,
    &vigil_disclose_schema,
    &vigil_web_schema,
    NULL, /* keeps the array non-empty; not counted */
};

const struct vigil_store_schema *const *
vigil_daemon_schemas(size_t *n)
{
    *n = sizeof(schemas) / sizeof(schemas[0]) - 1;
    return schemas;
}
