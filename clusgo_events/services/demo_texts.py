"""The demo events' texts in Czech, Hungarian, Slovak and Polish, as the partner associations
would write them (their English is in :mod:`.demo`): ``{field: {language: text}}``."""

from __future__ import annotations

VENUE = {
    "cs": "Výstaviště Brno, pavilon E",
    "hu": "Brnói Vásárközpont, E pavilon",
    "sk": "Výstavisko Brno, pavilón E",
    "pl": "Targi w Brnie, pawilon E",
}

BRNO_2017 = {
    "title": {
        "cs": "Internacionalizační akce V4ClusGo",
        "hu": "V4ClusGo nemzetköziesítési rendezvény",
        "sk": "Internacionalizačné podujatie V4ClusGo",
        "pl": "Wydarzenie V4ClusGo poświęcone umiędzynarodowieniu",
    },
    "description": {
        "cs": "Internacionalizační akce evropského formátu pro klastrové organizace z Česka, "
        "Maďarska, Slovenska a Polska, kterou hostí Evropské strategické klastrové partnerství "
        "Natureef, se školeními o přípravě internacionalizační strategie.",
        "hu": "Európai formátumú nemzetköziesítési rendezvény cseh, magyar, szlovák és lengyel "
        "klaszterszervezetek számára a Natureef Európai Stratégiai Klaszterpartnerség "
        "vendéglátásában, képzésekkel a nemzetköziesítési stratégia elkészítéséről.",
        "sk": "Internacionalizačné podujatie európskeho formátu pre klastrové organizácie "
        "z Česka, Maďarska, Slovenska a Poľska, ktoré hostí Európske strategické klastrové "
        "partnerstvo Natureef, so školeniami o príprave internacionalizačnej stratégie.",
        "pl": "Wydarzenie w formacie europejskim, poświęcone umiędzynarodowieniu, dla "
        "organizacji klastrowych z Czech, Węgier, Słowacji i Polski. Gospodarzem jest "
        "Europejskie Strategiczne Partnerstwo Klastrowe Natureef; w programie szkolenia "
        "z przygotowania strategii umiędzynarodowienia.",
    },
    "venue": VENUE,
}

BRNO_2017_SESSIONS = [
    {
        "title": {
            "cs": "Příprava internacionalizační strategie: analýza",
            "hu": "A nemzetköziesítési stratégia elkészítése: elemzés",
            "sk": "Príprava internacionalizačnej stratégie: analýza",
            "pl": "Przygotowanie strategii umiędzynarodowienia: analiza",
        },
        "description": {
            "cs": "Mapování trhů, partnerů a silných stránek klastru.",
            "hu": "Piacok, partnerek és a klaszter erősségeinek feltérképezése.",
            "sk": "Mapovanie trhov, partnerov a silných stránok klastra.",
            "pl": "Mapowanie rynków, partnerów i mocnych stron klastra.",
        },
    },
    {
        "title": {
            "cs": "Příprava internacionalizační strategie: akční plán",
            "hu": "A nemzetköziesítési stratégia elkészítése: cselekvési terv",
            "sk": "Príprava internacionalizačnej stratégie: akčný plán",
            "pl": "Przygotowanie strategii umiędzynarodowienia: plan działania",
        },
        "description": {
            "cs": "Od cílů k akčnímu plánu, rozpočtu a ukazatelům.",
            "hu": "A céloktól a cselekvési tervig, a költségvetésig és a mutatókig.",
            "sk": "Od cieľov k akčnému plánu, rozpočtu a ukazovateľom.",
            "pl": "Od celów do planu działania, budżetu i wskaźników.",
        },
    },
]

FOLLOW_UP = {
    "title": {
        "cs": "Navazující setkání V4ClusGo: školení k internacionalizační strategii",
        "hu": "V4ClusGo folytatás: képzések a nemzetköziesítési stratégiáról",
        "sk": "Nadväzujúce stretnutie V4ClusGo: školenia k internacionalizačnej stratégii",
        "pl": "V4ClusGo – ciąg dalszy: szkolenia ze strategii umiędzynarodowienia",
    },
    "description": {
        "cs": "Navazující setkání pro klastrové organizace zemí V4: dvě školení o tom, jak "
        "internacionalizační strategii proměnit v akční plán, s partnery z Národní klastrové "
        "asociace, maďarské národní aliance inovativních klastrů, Únie klastrov Slovenska "
        "a polského národního sdružení inovativních podnikatelů.",
        "hu": "Folytatás a V4-országok klaszterszervezetei számára: két képzés arról, hogyan "
        "lesz a nemzetköziesítési stratégiából cselekvési terv, a cseh Nemzeti Klaszter "
        "Szövetség (Národní klastrová asociace), az Innovatív Klaszterek Nemzeti Szövetsége, "
        "a Szlovák Klaszterek Uniója (Únia klastrov Slovenska) és a lengyel Innovatív "
        "Vállalkozók Országos Szövetsége partnereivel.",
        "sk": "Nadväzujúce stretnutie pre klastrové organizácie krajín V4: dve školenia o tom, "
        "ako premeniť internacionalizačnú stratégiu na akčný plán, s partnermi z Národnej "
        "klastrovej asociácie ČR, maďarskej národnej aliancie inovatívnych klastrov, Únie "
        "klastrov Slovenska a poľského národného združenia inovatívnych podnikateľov.",
        "pl": "Ciąg dalszy dla organizacji klastrowych z krajów V4: dwa szkolenia o tym, jak "
        "przełożyć strategię umiędzynarodowienia na plan działania, z partnerami z czeskiego "
        "Národní klastrová asociace, węgierskiego krajowego związku innowacyjnych klastrów, "
        "Únia klastrov Slovenska oraz krajowego stowarzyszenia innowacyjnych przedsiębiorców.",
    },
    "venue": VENUE,
}

FOLLOW_UP_SESSIONS = [
    {
        "title": {
            "cs": "Od strategie k akčnímu plánu",
            "hu": "A stratégiától a cselekvési tervig",
            "sk": "Od stratégie k akčnému plánu",
            "pl": "Od strategii do planu działania",
        }
    },
    {
        "title": {
            "cs": "Hledání partnerů v zahraničí: matchmaking a programy EU",
            "hu": "Külföldi partnerek keresése: partnerkereső találkozók és uniós programok",
            "sk": "Hľadanie partnerov v zahraničí: matchmaking a programy EÚ",
            "pl": "Szukanie partnerów za granicą: spotkania kooperacyjne i programy UE",
        }
    },
]
