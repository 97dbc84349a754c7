/* disclose_pii_header.c -- recognises columns of people's data by their
 * header text in English, French or Welsh ("Surname", "Collar No.",
 * "D.O.B", "Prénom", "Numéro d'assurance sociale", "Dyddiad geni").
 *
 * Headers are normalised (case, accents, punctuation, elided articles,
 * camelCase) to lower-case ASCII words, then compared with one table of
 * phrases, each kind listing English, then French, then Welsh. The phrase with
 * the most words wins, so "Victim name" is sensitive rather than a plain name
 * and "IP address" is nothing rather than a postal address; on equal length the
 * earlier table entry wins, which is why sensitive phrases come first.
 */
#include <string.h>

#include "disclose/pii/disclose_pii_int.h"

struct phrase {
    const char *text; /* normalised form */
    enum pii_column col;
};

static const struct phrase phrases[] = {
    /* Words that look like personal columns but are not. */
    {"ip address", PII_COL_NONE},
    {"mac address", PII_COL_NONE},
    {"web address", PII_COL_NONE},
    {"file name", PII_COL_NONE},
    {"filename", PII_COL_NONE},
    {"host name", PII_COL_NONE},
    {"hostname", PII_COL_NONE},
    {"domain name", PII_COL_NONE},
    {"server name", PII_COL_NONE},
    {"computer name", PII_COL_NONE},
    {"device name", PII_COL_NONE},
    {"document name", PII_COL_NONE},
    {"team name", PII_COL_NONE},
    {"company name", PII_COL_NONE},
    {"supplier name", PII_COL_NONE},
    {"organisation name", PII_COL_NONE},
    {"organization name", PII_COL_NONE},
    {"business name", PII_COL_NONE},
    {"product name", PII_COL_NONE},
    {"site name", PII_COL_NONE},
    {"project name", PII_COL_NONE},
    {"station name", PII_COL_NONE},
    {"unit name", PII_COL_NONE},
    {"department name", PII_COL_NONE},
    {"force name", PII_COL_NONE},
    {"rule name", PII_COL_NONE},
    {"sheet name", PII_COL_NONE},
    {"process name", PII_COL_NONE},
    {"service name", PII_COL_NONE},
    {"application name", PII_COL_NONE},
    {"school name", PII_COL_NONE},
    /* English */
    {"account name", PII_COL_NONE},
    /* Ledger and reference codes (see PII_COL_CODE). */
    {"account number", PII_COL_CODE},
    {"account no", PII_COL_CODE},
    {"account code", PII_COL_CODE},
    {"ledger code", PII_COL_CODE},
    {"nominal code", PII_COL_CODE},
    {"cost centre", PII_COL_CODE},
    {"cost center", PII_COL_CODE},
    {"reference number", PII_COL_CODE},
    /* French */
    {"adresse ip", PII_COL_NONE},
    {"adresse mac", PII_COL_NONE},
    {"adresse web", PII_COL_NONE},
    {"adresse internet", PII_COL_NONE},
    {"adresse du site", PII_COL_NONE},
    {"nom de fichier", PII_COL_NONE},
    {"nom du fichier", PII_COL_NONE},
    {"nom d hote", PII_COL_NONE},
    {"nom de domaine", PII_COL_NONE},
    {"nom du serveur", PII_COL_NONE},
    {"nom de l ordinateur", PII_COL_NONE},
    {"nom de l appareil", PII_COL_NONE},
    {"nom du document", PII_COL_NONE},
    {"nom de l equipe", PII_COL_NONE},
    {"nom de l entreprise", PII_COL_NONE},
    {"nom de la societe", PII_COL_NONE},
    {"nom du fournisseur", PII_COL_NONE},
    {"nom de l organisation", PII_COL_NONE},
    {"nom de l organisme", PII_COL_NONE},
    {"nom du produit", PII_COL_NONE},
    {"nom du site", PII_COL_NONE},
    {"nom du projet", PII_COL_NONE},
    {"nom de la station", PII_COL_NONE},
    {"nom de l unite", PII_COL_NONE},
    {"nom du service", PII_COL_NONE},
    {"nom de l application", PII_COL_NONE},
    {"nom de l ecole", PII_COL_NONE},
    {"nom de la feuille", PII_COL_NONE},
    {"nom du processus", PII_COL_NONE},
    {"nom de la regle", PII_COL_NONE},
    {"nom du compte", PII_COL_NONE},
    {"nom de compte", PII_COL_NONE},
    {"compte", PII_COL_CODE},
    {"numero de compte", PII_COL_CODE},
    {"no de compte", PII_COL_CODE},
    {"n de compte", PII_COL_CODE},
    {"numero du compte", PII_COL_CODE},
    {"code comptable", PII_COL_CODE},
    {"compte comptable", PII_COL_CODE},
    {"numero de reference", PII_COL_CODE},
    {"no de reference", PII_COL_CODE},
    {"nom de la commune", PII_COL_NONE},
    {"nom de la municipalite", PII_COL_NONE},
    {"raison sociale", PII_COL_NONE},
    {"nom commercial", PII_COL_NONE},
    /* Welsh */
    {"cyfeiriad ip", PII_COL_NONE},
    {"cyfeiriad mac", PII_COL_NONE},
    {"cyfeiriad gwe", PII_COL_NONE},
    {"enw ffeil", PII_COL_NONE},
    {"enw gwesteiwr", PII_COL_NONE},
    {"enw parth", PII_COL_NONE},
    {"enw gweinydd", PII_COL_NONE},
    {"enw cyfrifiadur", PII_COL_NONE},
    {"enw dyfais", PII_COL_NONE},
    {"enw dogfen", PII_COL_NONE},
    {"enw tim", PII_COL_NONE},
    {"enw cwmni", PII_COL_NONE},
    {"enw cyflenwr", PII_COL_NONE},
    {"enw sefydliad", PII_COL_NONE},
    {"enw busnes", PII_COL_NONE},
    {"enw cynnyrch", PII_COL_NONE},
    {"enw safle", PII_COL_NONE},
    {"enw prosiect", PII_COL_NONE},
    {"enw gorsaf", PII_COL_NONE},
    {"enw uned", PII_COL_NONE},
    {"enw adran", PII_COL_NONE},
    {"enw llu", PII_COL_NONE},
    {"enw rheol", PII_COL_NONE},
    {"enw taflen", PII_COL_NONE},
    {"enw gwasanaeth", PII_COL_NONE},
    {"enw rhaglen", PII_COL_NONE},
    {"enw ysgol", PII_COL_NONE},
    {"enw cyfrif", PII_COL_NONE},
    {"rhif cyfrif", PII_COL_CODE},
    {"cod cyfrif", PII_COL_CODE},
    {"rhif cyfeirnod", PII_COL_CODE},
    /* Special category and criminal-offence data (UK GDPR Art. 9, 10)
     * and other sensitive roles: first, so ties go to them. */
    {"vetting", PII_COL_SENSITIVE},
    {"vetting level", PII_COL_SENSITIVE},
    {"vetting status", PII_COL_SENSITIVE},
    {"ethnicity", PII_COL_SENSITIVE},
    {"ethnic origin", PII_COL_SENSITIVE},
    {"ethnic group", PII_COL_SENSITIVE},
    {"race", PII_COL_SENSITIVE},
    {"religion", PII_COL_SENSITIVE},
    {"religious belief", PII_COL_SENSITIVE},
    {"faith", PII_COL_SENSITIVE},
    {"health", PII_COL_SENSITIVE},
    {"medical", PII_COL_SENSITIVE},
    {"medical condition", PII_COL_SENSITIVE},
    {"disability", PII_COL_SENSITIVE},
    {"sexual orientation", PII_COL_SENSITIVE},
    {"sexuality", PII_COL_SENSITIVE},
    {"gender identity", PII_COL_SENSITIVE},
    {"criminal record", PII_COL_SENSITIVE},
    {"conviction", PII_COL_SENSITIVE},
    {"convictions", PII_COL_SENSITIVE},
    {"victim", PII_COL_SENSITIVE},
    {"victims", PII_COL_SENSITIVE},
    {"victim name", PII_COL_SENSITIVE},
    {"offence", PII_COL_SENSITIVE},
    {"offences", PII_COL_SENSITIVE},
    {"offender", PII_COL_SENSITIVE},
    {"suspect", PII_COL_SENSITIVE},
    {"witness", PII_COL_SENSITIVE},
    {"complainant", PII_COL_SENSITIVE},
    {"informant", PII_COL_SENSITIVE},
    {"trade union", PII_COL_SENSITIVE},
    {"union membership", PII_COL_SENSITIVE},
    {"political opinion", PII_COL_SENSITIVE},
    {"sickness", PII_COL_SENSITIVE},
    {"sickness absence", PII_COL_SENSITIVE},
    {"sick leave", PII_COL_SENSITIVE},
    {"occupational health", PII_COL_SENSITIVE},
    {"biometric", PII_COL_SENSITIVE},
    {"genetic", PII_COL_SENSITIVE},
    {"pregnancy", PII_COL_SENSITIVE},
    {"nationality", PII_COL_SENSITIVE},
    {"immigration status", PII_COL_SENSITIVE},
    {"safeguarding", PII_COL_SENSITIVE},
    /* French */
    {"victime", PII_COL_SENSITIVE},
    {"victimes", PII_COL_SENSITIVE},
    {"nom de la victime", PII_COL_SENSITIVE},
    {"plaignant", PII_COL_SENSITIVE},
    {"plaignante", PII_COL_SENSITIVE},
    {"plaignants", PII_COL_SENSITIVE},
    {"infraction", PII_COL_SENSITIVE},
    {"infractions", PII_COL_SENSITIVE},
    {"type d infraction", PII_COL_SENSITIVE},
    {"delit", PII_COL_SENSITIVE},
    {"delits", PII_COL_SENSITIVE},
    {"contrevenant", PII_COL_SENSITIVE},
    {"delinquant", PII_COL_SENSITIVE},
    {"suspects", PII_COL_SENSITIVE},
    {"temoin", PII_COL_SENSITIVE},
    {"temoins", PII_COL_SENSITIVE},
    {"accuse", PII_COL_SENSITIVE},
    {"informateur", PII_COL_SENSITIVE},
    {"indicateur", PII_COL_SENSITIVE},
    {"sante", PII_COL_SENSITIVE},
    {"etat de sante", PII_COL_SENSITIVE},
    {"dossier medical", PII_COL_SENSITIVE},
    {"condition medicale", PII_COL_SENSITIVE},
    {"handicap", PII_COL_SENSITIVE},
    {"incapacite", PII_COL_SENSITIVE},
    {"croyance religieuse", PII_COL_SENSITIVE},
    {"confession", PII_COL_SENSITIVE},
    {"origine ethnique", PII_COL_SENSITIVE},
    {"ethnie", PII_COL_SENSITIVE},
    {"appartenance ethnique", PII_COL_SENSITIVE},
    {"orientation sexuelle", PII_COL_SENSITIVE},
    {"identite de genre", PII_COL_SENSITIVE},
    {"casier judiciaire", PII_COL_SENSITIVE},
    {"antecedents judiciaires", PII_COL_SENSITIVE},
    {"condamnation", PII_COL_SENSITIVE},
    {"condamnations", PII_COL_SENSITIVE},
    {"syndicat", PII_COL_SENSITIVE},
    {"appartenance syndicale", PII_COL_SENSITIVE},
    {"opinion politique", PII_COL_SENSITIVE},
    {"opinions politiques", PII_COL_SENSITIVE},
    {"maladie", PII_COL_SENSITIVE},
    {"conge de maladie", PII_COL_SENSITIVE},
    {"conge maladie", PII_COL_SENSITIVE},
    {"absence maladie", PII_COL_SENSITIVE},
    {"grossesse", PII_COL_SENSITIVE},
    {"nationalite", PII_COL_SENSITIVE},
    {"statut d immigration", PII_COL_SENSITIVE},
    {"biometrique", PII_COL_SENSITIVE},
    {"genetique", PII_COL_SENSITIVE},
    {"habilitation de securite", PII_COL_SENSITIVE},
    {"cote de securite", PII_COL_SENSITIVE},
    {"enquete de securite", PII_COL_SENSITIVE},
    {"protection de l enfance", PII_COL_SENSITIVE},
    /* Welsh */
    {"fetio", PII_COL_SENSITIVE},
    {"lefel fetio", PII_COL_SENSITIVE},
    {"statws fetio", PII_COL_SENSITIVE},
    {"ethnigrwydd", PII_COL_SENSITIVE},
    {"tarddiad ethnig", PII_COL_SENSITIVE},
    {"grwp ethnig", PII_COL_SENSITIVE},
    {"hil", PII_COL_SENSITIVE},
    {"crefydd", PII_COL_SENSITIVE},
    {"cred grefyddol", PII_COL_SENSITIVE},
    {"ffydd", PII_COL_SENSITIVE},
    {"iechyd", PII_COL_SENSITIVE},
    {"meddygol", PII_COL_SENSITIVE},
    {"cyflwr meddygol", PII_COL_SENSITIVE},
    {"anabledd", PII_COL_SENSITIVE},
    {"cyfeiriadedd rhywiol", PII_COL_SENSITIVE},
    {"rhywioldeb", PII_COL_SENSITIVE},
    {"hunaniaeth rhywedd", PII_COL_SENSITIVE},
    {"cofnod troseddol", PII_COL_SENSITIVE},
    {"euogfarn", PII_COL_SENSITIVE},
    {"euogfarnau", PII_COL_SENSITIVE},
    {"dioddefwr", PII_COL_SENSITIVE},
    {"dioddefwyr", PII_COL_SENSITIVE},
    {"enw dioddefwr", PII_COL_SENSITIVE},
    {"trosedd", PII_COL_SENSITIVE},
    {"troseddau", PII_COL_SENSITIVE},
    {"troseddwr", PII_COL_SENSITIVE},
    {"troseddwyr", PII_COL_SENSITIVE},
    {"un a ddrwgdybir", PII_COL_SENSITIVE},
    {"tyst", PII_COL_SENSITIVE},
    {"tystion", PII_COL_SENSITIVE},
    {"achwynydd", PII_COL_SENSITIVE},
    {"hysbysydd", PII_COL_SENSITIVE},
    {"undeb llafur", PII_COL_SENSITIVE},
    {"aelodaeth undeb", PII_COL_SENSITIVE},
    {"barn wleidyddol", PII_COL_SENSITIVE},
    {"salwch", PII_COL_SENSITIVE},
    {"absenoldeb salwch", PII_COL_SENSITIVE},
    {"iechyd galwedigaethol", PII_COL_SENSITIVE},
    {"biometrig", PII_COL_SENSITIVE},
    {"genetig", PII_COL_SENSITIVE},
    {"beichiogrwydd", PII_COL_SENSITIVE},
    {"cenedligrwydd", PII_COL_SENSITIVE},
    {"statws mewnfudo", PII_COL_SENSITIVE},
    {"diogelu", PII_COL_SENSITIVE},
    /* National identifiers. */
    {"ni number", PII_COL_NATIONAL_ID},
    {"ni no", PII_COL_NATIONAL_ID},
    {"nino", PII_COL_NATIONAL_ID},
    {"national insurance", PII_COL_NATIONAL_ID},
    {"national insurance number", PII_COL_NATIONAL_ID},
    {"nhs number", PII_COL_NATIONAL_ID},
    {"nhs no", PII_COL_NATIONAL_ID},
    {"chi number", PII_COL_NATIONAL_ID},
    {"sin", PII_COL_NATIONAL_ID},
    {"social insurance number", PII_COL_NATIONAL_ID},
    {"ssn", PII_COL_NATIONAL_ID},
    {"social security number", PII_COL_NATIONAL_ID},
    {"passport", PII_COL_NATIONAL_ID},
    {"passport number", PII_COL_NATIONAL_ID},
    {"passport no", PII_COL_NATIONAL_ID},
    {"driving licence", PII_COL_NATIONAL_ID},
    {"driving license", PII_COL_NATIONAL_ID},
    {"driver licence", PII_COL_NATIONAL_ID},
    {"drivers licence", PII_COL_NATIONAL_ID},
    {"national id", PII_COL_NATIONAL_ID},
    {"identity card", PII_COL_NATIONAL_ID},
    {"pnc id", PII_COL_NATIONAL_ID},
    {"pnc number", PII_COL_NATIONAL_ID},
    {"cro number", PII_COL_NATIONAL_ID},
    {"tax reference", PII_COL_NATIONAL_ID},
    /* English (Canadian) */
    {"health card", PII_COL_NATIONAL_ID},
    {"health card number", PII_COL_NATIONAL_ID},
    {"health number", PII_COL_NATIONAL_ID},
    {"health insurance number", PII_COL_NATIONAL_ID},
    {"ohip", PII_COL_NATIONAL_ID},
    {"ohip number", PII_COL_NATIONAL_ID},
    {"ramq", PII_COL_NATIONAL_ID},
    {"ramq number", PII_COL_NATIONAL_ID},
    {"medicare number", PII_COL_NATIONAL_ID},
    {"driver licence number", PII_COL_NATIONAL_ID},
    {"drivers licence number", PII_COL_NATIONAL_ID},
    {"driving licence number", PII_COL_NATIONAL_ID},
    /* French */
    {"nas", PII_COL_NATIONAL_ID},
    {"numero d assurance sociale", PII_COL_NATIONAL_ID},
    {"no d assurance sociale", PII_COL_NATIONAL_ID},
    {"assurance sociale", PII_COL_NATIONAL_ID},
    {"nir", PII_COL_NATIONAL_ID},
    {"numero de securite sociale", PII_COL_NATIONAL_ID},
    {"securite sociale", PII_COL_NATIONAL_ID},
    {"numero d assurance maladie", PII_COL_NATIONAL_ID},
    {"no d assurance maladie", PII_COL_NATIONAL_ID},
    {"assurance maladie", PII_COL_NATIONAL_ID},
    {"nam", PII_COL_NATIONAL_ID},
    {"carte sante", PII_COL_NATIONAL_ID},
    {"numero de carte sante", PII_COL_NATIONAL_ID},
    {"carte d assurance maladie", PII_COL_NATIONAL_ID},
    {"numero ramq", PII_COL_NATIONAL_ID},
    {"numero ohip", PII_COL_NATIONAL_ID},
    {"passeport", PII_COL_NATIONAL_ID},
    {"numero de passeport", PII_COL_NATIONAL_ID},
    {"no de passeport", PII_COL_NATIONAL_ID},
    {"permis de conduire", PII_COL_NATIONAL_ID},
    {"numero de permis", PII_COL_NATIONAL_ID},
    {"numero de permis de conduire", PII_COL_NATIONAL_ID},
    {"no de permis", PII_COL_NATIONAL_ID},
    {"carte d identite", PII_COL_NATIONAL_ID},
    {"piece d identite", PII_COL_NATIONAL_ID},
    {"numero d identification", PII_COL_NATIONAL_ID},
    /* Welsh */
    {"rhif yswiriant gwladol", PII_COL_NATIONAL_ID},
    {"rhif yswiriant cymdeithasol", PII_COL_NATIONAL_ID},
    {"yswiriant cymdeithasol", PII_COL_NATIONAL_ID},
    {"yswiriant gwladol", PII_COL_NATIONAL_ID},
    {"rhif yg", PII_COL_NATIONAL_ID},
    {"rhif gig", PII_COL_NATIONAL_ID},
    {"pasbort", PII_COL_NATIONAL_ID},
    {"rhif pasbort", PII_COL_NATIONAL_ID},
    {"trwydded yrru", PII_COL_NATIONAL_ID},
    {"rhif trwydded yrru", PII_COL_NATIONAL_ID},
    {"cerdyn adnabod", PII_COL_NATIONAL_ID},
    /* Dates of birth. */
    {"date of birth", PII_COL_DOB},
    {"dob", PII_COL_DOB},
    {"birth date", PII_COL_DOB},
    {"birthdate", PII_COL_DOB},
    {"birthday", PII_COL_DOB},
    {"born", PII_COL_DOB},
    /* French */
    {"date de naissance", PII_COL_DOB},
    {"date naissance", PII_COL_DOB},
    {"date de naiss", PII_COL_DOB},
    {"ddn", PII_COL_DOB},
    {"naissance", PII_COL_DOB},
    {"ne le", PII_COL_DOB},
    {"nee le", PII_COL_DOB},
    {"ne e le", PII_COL_DOB},
    /* Welsh */
    {"dyddiad geni", PII_COL_DOB},
    {"geni", PII_COL_DOB},
    {"ganwyd", PII_COL_DOB},
    {"pen blwydd", PII_COL_DOB},
    {"penblwydd", PII_COL_DOB},
    /* Contact details. */
    {"email", PII_COL_CONTACT},
    {"e mail", PII_COL_CONTACT},
    {"email address", PII_COL_CONTACT},
    {"e mail address", PII_COL_CONTACT},
    {"phone", PII_COL_CONTACT},
    {"telephone", PII_COL_CONTACT},
    {"tel", PII_COL_CONTACT},
    {"tel no", PII_COL_CONTACT},
    {"phone number", PII_COL_CONTACT},
    {"telephone number", PII_COL_CONTACT},
    {"mobile", PII_COL_CONTACT},
    {"mobile number", PII_COL_CONTACT},
    {"mobile no", PII_COL_CONTACT},
    {"contact number", PII_COL_CONTACT},
    {"contact no", PII_COL_CONTACT},
    {"contact details", PII_COL_CONTACT},
    {"home phone", PII_COL_CONTACT},
    {"work phone", PII_COL_CONTACT},
    {"fax", PII_COL_CONTACT},
    {"next of kin", PII_COL_CONTACT},
    /* French */
    {"courriel", PII_COL_CONTACT},
    {"adresse courriel", PII_COL_CONTACT},
    {"adresse electronique", PII_COL_CONTACT},
    {"courrier electronique", PII_COL_CONTACT},
    {"mel", PII_COL_CONTACT},
    {"no de telephone", PII_COL_CONTACT},
    {"numero de telephone", PII_COL_CONTACT},
    {"no tel", PII_COL_CONTACT},
    {"cellulaire", PII_COL_CONTACT},
    {"cell", PII_COL_CONTACT},
    {"no de cellulaire", PII_COL_CONTACT},
    {"numero de cellulaire", PII_COL_CONTACT},
    {"portable", PII_COL_CONTACT},
    {"telephone portable", PII_COL_CONTACT},
    {"telephone mobile", PII_COL_CONTACT},
    {"telecopieur", PII_COL_CONTACT},
    {"telecopie", PII_COL_CONTACT},
    {"coordonnees", PII_COL_CONTACT},
    {"personne a contacter", PII_COL_CONTACT},
    {"personne a prevenir", PII_COL_CONTACT},
    {"contact d urgence", PII_COL_CONTACT},
    /* Welsh */
    {"ebost", PII_COL_CONTACT},
    {"e bost", PII_COL_CONTACT},
    {"cyfeiriad ebost", PII_COL_CONTACT},
    {"cyfeiriad e bost", PII_COL_CONTACT},
    {"ffon", PII_COL_CONTACT},
    {"rhif ffon", PII_COL_CONTACT},
    {"teleffon", PII_COL_CONTACT},
    {"rhif teleffon", PII_COL_CONTACT},
    {"ffon symudol", PII_COL_CONTACT},
    {"symudol", PII_COL_CONTACT},
    {"rhif symudol", PII_COL_CONTACT},
    {"rhif cyswllt", PII_COL_CONTACT},
    {"manylion cyswllt", PII_COL_CONTACT},
    {"ffacs", PII_COL_CONTACT},
    {"perthynas agosaf", PII_COL_CONTACT},
    /* Staff identifiers. */
    {"collar", PII_COL_STAFF_ID},
    {"collar no", PII_COL_STAFF_ID},
    {"collar number", PII_COL_STAFF_ID},
    {"warrant", PII_COL_STAFF_ID},
    {"warrant no", PII_COL_STAFF_ID},
    {"warrant number", PII_COL_STAFF_ID},
    {"warrant card", PII_COL_STAFF_ID},
    {"pay no", PII_COL_STAFF_ID},
    {"pay number", PII_COL_STAFF_ID},
    {"payroll", PII_COL_STAFF_ID},
    {"payroll no", PII_COL_STAFF_ID},
    {"payroll number", PII_COL_STAFF_ID},
    {"payroll id", PII_COL_STAFF_ID},
    {"staff id", PII_COL_STAFF_ID},
    {"staff no", PII_COL_STAFF_ID},
    {"staff number", PII_COL_STAFF_ID},
    {"staff ref", PII_COL_STAFF_ID},
    {"employee id", PII_COL_STAFF_ID},
    {"employee no", PII_COL_STAFF_ID},
    {"employee number", PII_COL_STAFF_ID},
    {"employee ref", PII_COL_STAFF_ID},
    {"emp no", PII_COL_STAFF_ID},
    {"personnel number", PII_COL_STAFF_ID},
    {"personnel no", PII_COL_STAFF_ID},
    {"personnel id", PII_COL_STAFF_ID},
    {"force number", PII_COL_STAFF_ID},
    {"shoulder number", PII_COL_STAFF_ID},
    {"badge number", PII_COL_STAFF_ID},
    {"badge no", PII_COL_STAFF_ID},
    {"service number", PII_COL_STAFF_ID},
    {"officer number", PII_COL_STAFF_ID},
    {"officer id", PII_COL_STAFF_ID},
    {"user id", PII_COL_STAFF_ID},
    {"userid", PII_COL_STAFF_ID},
    {"username", PII_COL_STAFF_ID},
    {"user name", PII_COL_STAFF_ID},
    {"login", PII_COL_STAFF_ID},
    {"sam account name", PII_COL_STAFF_ID},
    {"hr number", PII_COL_STAFF_ID},
    /* French */
    {"matricule", PII_COL_STAFF_ID},
    {"numero de matricule", PII_COL_STAFF_ID},
    {"no de matricule", PII_COL_STAFF_ID},
    {"numero d employe", PII_COL_STAFF_ID},
    {"no d employe", PII_COL_STAFF_ID},
    {"id employe", PII_COL_STAFF_ID},
    {"numero du personnel", PII_COL_STAFF_ID},
    {"numero de badge", PII_COL_STAFF_ID},
    {"numero d insigne", PII_COL_STAFF_ID},
    {"insigne", PII_COL_STAFF_ID},
    {"numero d agent", PII_COL_STAFF_ID},
    {"matricule de l agent", PII_COL_STAFF_ID},
    {"nom d utilisateur", PII_COL_STAFF_ID},
    {"identifiant", PII_COL_STAFF_ID},
    {"code utilisateur", PII_COL_STAFF_ID},
    {"numero de paie", PII_COL_STAFF_ID},
    /* Welsh */
    {"rhif coler", PII_COL_STAFF_ID},
    {"coler", PII_COL_STAFF_ID},
    {"rhif gwarant", PII_COL_STAFF_ID},
    {"rhif cyflog", PII_COL_STAFF_ID},
    {"cyflogres", PII_COL_STAFF_ID},
    {"rhif cyflogres", PII_COL_STAFF_ID},
    {"rhif staff", PII_COL_STAFF_ID},
    {"id staff", PII_COL_STAFF_ID},
    {"rhif gweithiwr", PII_COL_STAFF_ID},
    {"id gweithiwr", PII_COL_STAFF_ID},
    {"rhif cyflogai", PII_COL_STAFF_ID},
    {"rhif personel", PII_COL_STAFF_ID},
    {"rhif bathodyn", PII_COL_STAFF_ID},
    {"rhif swyddog", PII_COL_STAFF_ID},
    {"enw defnyddiwr", PII_COL_STAFF_ID},
    {"id defnyddiwr", PII_COL_STAFF_ID},
    {"mewngofnodi", PII_COL_STAFF_ID},
    /* Postal addresses. */
    {"address", PII_COL_ADDRESS},
    {"home address", PII_COL_ADDRESS},
    {"postal address", PII_COL_ADDRESS},
    {"street", PII_COL_ADDRESS},
    {"street name", PII_COL_ADDRESS},
    {"postcode", PII_COL_ADDRESS},
    {"post code", PII_COL_ADDRESS},
    {"postal code", PII_COL_ADDRESS},
    {"zip", PII_COL_ADDRESS},
    {"zip code", PII_COL_ADDRESS},
    {"zipcode", PII_COL_ADDRESS},
    {"town", PII_COL_ADDRESS},
    {"city", PII_COL_ADDRESS},
    {"house number", PII_COL_ADDRESS},
    {"house name", PII_COL_ADDRESS},
    /* French */
    {"adresse", PII_COL_ADDRESS},
    {"adresse postale", PII_COL_ADDRESS},
    {"adresse du domicile", PII_COL_ADDRESS},
    {"adresse domicile", PII_COL_ADDRESS},
    {"domicile", PII_COL_ADDRESS},
    {"rue", PII_COL_ADDRESS},
    {"nom de rue", PII_COL_ADDRESS},
    {"numero civique", PII_COL_ADDRESS},
    {"code postal", PII_COL_ADDRESS},
    {"ville", PII_COL_ADDRESS},
    {"municipalite", PII_COL_ADDRESS},
    {"localite", PII_COL_ADDRESS},
    /* Welsh */
    {"cyfeiriad", PII_COL_ADDRESS},
    {"cyfeiriad cartref", PII_COL_ADDRESS},
    {"cyfeiriad post", PII_COL_ADDRESS},
    {"stryd", PII_COL_ADDRESS},
    {"heol", PII_COL_ADDRESS},
    {"cod post", PII_COL_ADDRESS},
    {"tref", PII_COL_ADDRESS},
    {"dinas", PII_COL_ADDRESS},
    {"rhif ty", PII_COL_ADDRESS},
    {"enw ty", PII_COL_ADDRESS},
    /* Names. */
    {"name", PII_COL_NAME},
    {"names", PII_COL_NAME},
    {"surname", PII_COL_NAME},
    {"surnames", PII_COL_NAME},
    {"forename", PII_COL_NAME},
    {"forenames", PII_COL_NAME},
    {"first name", PII_COL_NAME},
    {"given name", PII_COL_NAME},
    {"given names", PII_COL_NAME},
    {"family name", PII_COL_NAME},
    {"last name", PII_COL_NAME},
    {"full name", PII_COL_NAME},
    {"middle name", PII_COL_NAME},
    {"maiden name", PII_COL_NAME},
    {"preferred name", PII_COL_NAME},
    {"display name", PII_COL_NAME},
    {"known as", PII_COL_NAME},
    {"initials", PII_COL_NAME},
    {"officer", PII_COL_NAME},
    {"officer name", PII_COL_NAME},
    {"employee name", PII_COL_NAME},
    {"staff name", PII_COL_NAME},
    /* French */
    {"nom", PII_COL_NAME},
    {"noms", PII_COL_NAME},
    {"prenom", PII_COL_NAME},
    {"prenoms", PII_COL_NAME},
    {"nom de famille", PII_COL_NAME},
    {"nom complet", PII_COL_NAME},
    {"nom et prenom", PII_COL_NAME},
    {"nom prenom", PII_COL_NAME},
    {"nom usuel", PII_COL_NAME},
    {"nom de jeune fille", PII_COL_NAME},
    {"deuxieme prenom", PII_COL_NAME},
    {"initiales", PII_COL_NAME},
    {"nom de l agent", PII_COL_NAME},
    {"nom de l employe", PII_COL_NAME},
    {"nom du policier", PII_COL_NAME},
    /* Welsh */
    {"enw", PII_COL_NAME},
    {"enwau", PII_COL_NAME},
    {"cyfenw", PII_COL_NAME},
    {"cyfenwau", PII_COL_NAME},
    {"enw cyntaf", PII_COL_NAME},
    {"enw llawn", PII_COL_NAME},
    {"enw olaf", PII_COL_NAME},
    {"enw teulu", PII_COL_NAME},
    {"enw canol", PII_COL_NAME},
    {"blaenenw", PII_COL_NAME},
    {"blaenenwau", PII_COL_NAME},
    {"enw cyn priodi", PII_COL_NAME},
    {"llythrennau blaen", PII_COL_NAME},
    {"swyddog", PII_COL_NAME},
    {"enw swyddog", PII_COL_NAME},
    {"enw gweithiwr", PII_COL_NAME},
    /* Rank and role. */
    {"rank", PII_COL_RANK},
    {"grade", PII_COL_RANK},
    {"pay grade", PII_COL_RANK},
    {"pay band", PII_COL_RANK},
    {"job title", PII_COL_RANK},
    {"job role", PII_COL_RANK},
    {"position", PII_COL_RANK},
    {"post title", PII_COL_RANK},
    /* French */
    {"rang", PII_COL_RANK},
    {"echelon", PII_COL_RANK},
    {"titre du poste", PII_COL_RANK},
    {"intitule du poste", PII_COL_RANK},
    {"titre d emploi", PII_COL_RANK},
    /* Welsh */
    {"rheng", PII_COL_RANK},
    {"gradd", PII_COL_RANK},
    {"graddfa", PII_COL_RANK},
    {"graddfa cyflog", PII_COL_RANK},
    {"band cyflog", PII_COL_RANK},
    {"teitl swydd", PII_COL_RANK},
    {"swydd", PII_COL_RANK},
};

/* Characters that join rather than separate: "D.O.B" is "dob",
 * "Forename(s)" is "forenames", "Né(e) le" is "nee le". */
static int
is_joiner(unsigned char c)
{
    return c == '.' || c == '(' || c == ')';
}

/* Does the word just written (dst[ws..n)) elide before an apostrophe, as
 * French "d'", "l'", "n'", "qu'"? Then the apostrophe separates:
 * "Numéro d'assurance sociale" is "numero d assurance sociale". */
static int
elides(const char *dst, size_t ws, size_t n)
{
    if (n - ws == 1)
        return strchr("cdjlmnst", dst[ws]) != NULL;
    return n - ws == 2 && dst[ws] == 'q' && dst[ws + 1] == 'u';
}

size_t
disclose_pii_normalise(const char *text, size_t len, char *dst, size_t cap)
{
    const unsigned char *u = (const unsigned char *)text;
    size_t i = 0, n = 0, ws = 0, step, nf, a;
    int space = 0;
    enum { NONE, LOWER, UPPER, DIGIT } prev = NONE;
    char f[2];

    if (cap == 0)
        return 0;
    while (i < len && n + 3 < cap) {
        unsigned char c = u[i];
        if (is_joiner(c)) {
            i++;
            continue;
        }
        if ((a = disclose_pii_apostrophe(u, len, i)) > 0) {
            i += a;
            /* Welsh "'r" (the): "Enw'r dioddefwr" is "enw dioddefwr". */
            if (i < len && pii_lower(u[i]) == 'r' &&
                !disclose_pii_letter_at(u, len, i + 1)) {
                i++;
                space = n > 0;
                prev = NONE;
            } else if (n > ws && elides(dst, ws, n)) {
                space = 1;
                prev = NONE;
            }
            continue; /* otherwise joins: "O'Brien" */
        }
        step = disclose_pii_fold(u, len, i, f, &nf);
        if (nf == 0) {
            space = n > 0;
            prev = NONE;
            i += step;
            continue;
        }
        /* camelCase: "firstName", "NINumber" become two words. */
        if (n > 0 && !space && pii_is_upper(c) &&
            (prev == LOWER ||
             (prev == UPPER && i + 1 < len && pii_is_alpha(u[i + 1]) &&
              !pii_is_upper(u[i + 1]))))
            space = 1;
        if (space) {
            dst[n++] = ' ';
            ws = n;
            space = 0;
        }
        memcpy(dst + n, f, nf);
        n += nf;
        prev = pii_is_digit(c) ? DIGIT : pii_is_upper(c) ? UPPER : LOWER;
        i += step;
    }
    dst[n] = '\0';
    return n;
}

/* Is phrase p a run of whole words in h? */
static int
has_phrase(const char *h, size_t hl, const char *p)
{
    size_t pl = strlen(p);
    const char *s = h;

    while ((s = strstr(s, p)) != NULL) {
        size_t at = (size_t)(s - h);
        if ((at == 0 || h[at - 1] == ' ') &&
            (at + pl == hl || h[at + pl] == ' '))
            return 1;
        s++;
    }
    return 0;
}

/* Does h equal p once spaces are removed from both ("FirstName",
 * "Date_Of_Birth" vs "DateOfBirth")? */
static int
squashed_equal(const char *h, const char *p)
{
    for (;;) {
        while (*h == ' ')
            h++;
        while (*p == ' ')
            p++;
        if (*h != *p)
            return 0;
        if (*h == '\0')
            return 1;
        h++;
        p++;
    }
}

static size_t
words(const char *p)
{
    size_t n = 1;

    for (; *p; p++)
        n += *p == ' ';
    return n;
}

enum pii_column
disclose_pii_header(const struct disclose_pii *p, const char *text, size_t len)
{
    char h[128];
    const char *const *custom;
    size_t hl, k, nc, best_words = 0;
    enum pii_column best = PII_COL_NONE;

    if (text == NULL)
        return PII_COL_NONE;
    hl = disclose_pii_normalise(text, len, h, sizeof(h));
    if (hl == 0)
        return PII_COL_NONE;
    for (k = 0; k < sizeof(phrases) / sizeof(phrases[0]); k++) {
        const char *ph = phrases[k].text;
        size_t w = words(ph);
        if (w > best_words &&
            (has_phrase(h, hl, ph) || squashed_equal(h, ph))) {
            best = phrases[k].col;
            best_words = w;
        }
    }
    nc = disclose_pii_custom_headers(p, &custom);
    for (k = 0; k < nc; k++) {
        size_t w = words(custom[k]);
        if (w > best_words &&
            (has_phrase(h, hl, custom[k]) || squashed_equal(h, custom[k]))) {
            best = PII_COL_CUSTOM;
            best_words = w;
        }
    }
    return best;
}
