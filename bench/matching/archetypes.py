"""Role archetypes the evaluation set is generated from (independent of the scorer).

Each archetype has skills in several surface forms (the canonical name first), job titles,
candidate headlines that paraphrase the title without sharing its words, and summary
sentences. Archetypes in one family are related roles (partial relevance).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Archetype:
    """One role: its family, skills (surface forms per skill), titles, headlines, sentences."""

    name: str
    family: str
    skills: tuple[tuple[str, ...], ...]
    titles: tuple[str, ...]
    headlines: tuple[str, ...]
    sentences: tuple[str, ...]


ARCHETYPES: tuple[Archetype, ...] = (
    Archetype(
        "backend",
        "engineering",
        (
            ("python", "python3"),
            ("postgresql", "postgres", "relational databases"),
            ("go", "golang"),
            ("rest", "restful", "http apis"),
            ("docker", "containers"),
            ("kafka", "event streaming"),
            ("redis", "caching"),
        ),
        ("Backend Engineer", "Backend Developer", "API Engineer"),
        ("Server-side developer", "Builds services and APIs", "Distributed systems programmer"),
        (
            "I design server-side services that handle millions of requests.",
            "Built payment and order APIs with careful database schema design.",
            "Comfortable with message queues, caching layers and query tuning.",
        ),
    ),
    Archetype(
        "frontend",
        "engineering",
        (
            ("react", "reactjs"),
            ("typescript", "ts"),
            ("javascript", "js"),
            ("css", "sass"),
            ("html",),
            ("webpack", "vite"),
            ("accessibility", "a11y"),
        ),
        ("Frontend Engineer", "Frontend Developer", "UI Engineer"),
        ("Web interface developer", "Builds browser applications", "Client-side programmer"),
        (
            "I build responsive web interfaces that users love.",
            "Crafted component libraries and design systems for single-page apps.",
            "Care about accessibility, performance budgets and pixel-perfect layouts.",
        ),
    ),
    Archetype(
        "devops",
        "infrastructure",
        (
            ("kubernetes", "k8s"),
            ("terraform", "infrastructure as code"),
            ("amazon web services", "aws"),
            ("linux",),
            ("prometheus", "monitoring"),
            ("continuous integration", "ci/cd"),
            ("ansible", "configuration management"),
        ),
        ("DevOps Engineer", "Site Reliability Engineer", "Platform Engineer"),
        ("Cloud operations specialist", "Keeps production running", "Infrastructure automation"),
        (
            "I automate cloud infrastructure and keep deployments boring.",
            "Ran container clusters in production with on-call rotations.",
            "Built deployment pipelines, alerting and incident response playbooks.",
        ),
    ),
    Archetype(
        "data_science",
        "data",
        (
            ("python", "python3"),
            ("machine learning", "ml"),
            ("pandas", "dataframes"),
            ("statistics", "statistical modelling"),
            ("scikit-learn", "sklearn"),
            ("sql",),
            ("pytorch", "torch"),
        ),
        ("Data Scientist", "Machine Learning Scientist", "Applied Scientist"),
        ("Predictive modelling expert", "Turns data into forecasts", "Quantitative analyst"),
        (
            "I build predictive models and run experiments to guide decisions.",
            "Trained classifiers and forecasting models on large datasets.",
            "Explain statistical results clearly to non-technical stakeholders.",
        ),
    ),
    Archetype(
        "data_engineering",
        "data",
        (
            ("spark", "pyspark"),
            ("sql",),
            ("airflow", "workflow orchestration"),
            ("python", "python3"),
            ("kafka", "event streaming"),
            ("snowflake", "data warehouse"),
            ("dbt",),
        ),
        ("Data Engineer", "Analytics Engineer", "Big Data Engineer"),
        ("Builds data pipelines", "ETL specialist", "Warehouse and pipeline developer"),
        (
            "I build reliable batch and streaming pipelines into the warehouse.",
            "Modelled analytics tables and scheduled transformations for reporting.",
            "Moved terabytes of events a day with careful data quality checks.",
        ),
    ),
    Archetype(
        "mobile",
        "engineering",
        (
            ("swift",),
            ("kotlin",),
            ("ios",),
            ("android",),
            ("react native", "cross-platform"),
            ("objective-c", "objc"),
            ("mobile testing",),
        ),
        ("Mobile Engineer", "iOS Developer", "Android Developer"),
        ("App developer for phones", "Builds apps for smartphones", "Handheld software builder"),
        (
            "I ship native apps for phones and tablets to the app stores.",
            "Optimised app start-up time and offline sync for handheld devices.",
            "Worked closely with designers on touch interactions and animations.",
        ),
    ),
    Archetype(
        "security",
        "infrastructure",
        (
            ("penetration testing", "pentesting"),
            ("network security",),
            ("siem", "splunk"),
            ("incident response",),
            ("owasp", "web security"),
            ("cryptography", "crypto"),
            ("linux",),
        ),
        ("Security Engineer", "Application Security Engineer", "Cybersecurity Analyst"),
        ("Protects systems from attackers", "Ethical hacker", "Threat hunter"),
        (
            "I find vulnerabilities before attackers do and help teams fix them.",
            "Led incident investigations and hardened networks after breaches.",
            "Run threat models and secure code reviews for product teams.",
        ),
    ),
    Archetype(
        "product_design",
        "design",
        (
            ("figma",),
            ("user research", "usability testing"),
            ("prototyping", "wireframes"),
            ("user experience", "ux"),
            ("design systems",),
            ("interaction design",),
            ("sketch",),
        ),
        ("Product Designer", "UX Designer", "Interaction Designer"),
        ("Designs digital experiences", "Human-centred designer", "Makes software easy to use"),
        (
            "I turn user interviews into flows, wireframes and polished screens.",
            "Ran usability studies and iterated prototypes with engineers.",
            "Maintained a shared component library for consistent interfaces.",
        ),
    ),
    Archetype(
        "product_management",
        "product",
        (
            ("product management", "pm"),
            ("roadmapping", "roadmaps"),
            ("jira",),
            ("stakeholder management",),
            ("analytics", "product analytics"),
            ("agile", "scrum"),
            ("user research", "customer discovery"),
        ),
        ("Product Manager", "Senior Product Owner", "Technical Product Manager"),
        ("Decides what to build next", "Owns the product vision", "Leads cross-functional teams"),
        (
            "I decide what the team builds next, based on customer evidence.",
            "Shipped features from discovery to launch with engineering and design.",
            "Set goals, prioritised the backlog and measured outcomes.",
        ),
    ),
    Archetype(
        "sales",
        "business",
        (
            ("salesforce", "sfdc"),
            ("b2b sales", "enterprise sales"),
            ("negotiation",),
            ("lead generation", "prospecting"),
            ("customer relationship management", "crm"),
            ("cold calling",),
            ("account management",),
        ),
        ("Account Executive", "Sales Manager", "Business Development Representative"),
        ("Closes enterprise deals", "Revenue generator", "Builds client relationships"),
        (
            "I find new business and close deals with enterprise clients.",
            "Exceeded quota by growing a pipeline of qualified prospects.",
            "Negotiate contracts and keep key accounts happy and renewing.",
        ),
    ),
    Archetype(
        "marketing",
        "business",
        (
            ("search engine optimization", "seo"),
            ("content marketing", "copywriting"),
            ("google analytics", "web analytics"),
            ("social media",),
            ("email marketing",),
            ("paid advertising", "sem"),
            ("brand strategy",),
        ),
        ("Marketing Manager", "Growth Marketer", "Digital Marketing Specialist"),
        ("Grows audiences online", "Brand storyteller", "Acquisition specialist"),
        (
            "I grow audiences through search, content and paid campaigns.",
            "Ran campaigns across channels and measured conversion carefully.",
            "Write copy and plan editorial calendars that bring in leads.",
        ),
    ),
    Archetype(
        "finance",
        "business",
        (
            ("financial modelling", "financial modeling"),
            ("excel", "spreadsheets"),
            ("accounting",),
            ("budgeting", "forecasting"),
            ("ifrs", "gaap"),
            ("sap",),
            ("auditing",),
        ),
        ("Financial Analyst", "Finance Manager", "Controller"),
        ("Numbers and forecasts person", "Keeps the books honest", "Corporate finance specialist"),
        (
            "I build budgets and forecasts and close the books every month.",
            "Prepared statutory reports and supported external audits.",
            "Model scenarios for investment decisions in spreadsheets.",
        ),
    ),
    Archetype(
        "qa",
        "engineering",
        (
            ("quality assurance", "qa"),
            ("selenium", "browser automation"),
            ("test automation",),
            ("cypress",),
            ("manual testing", "exploratory testing"),
            ("jmeter", "load testing"),
            ("python", "python3"),
        ),
        ("QA Engineer", "Test Automation Engineer", "Software Tester"),
        ("Finds bugs before customers", "Automates test suites", "Quality champion"),
        (
            "I write automated tests and find bugs before customers do.",
            "Built end-to-end suites that run on every change.",
            "Plan test strategies and track defects to resolution.",
        ),
    ),
    Archetype(
        "embedded",
        "hardware",
        (
            ("c",),
            ("c++", "cpp"),
            ("rtos", "real-time operating systems"),
            ("microcontrollers", "mcu"),
            ("embedded linux",),
            ("firmware",),
            ("can bus",),
        ),
        ("Embedded Software Engineer", "Firmware Engineer", "Embedded Developer"),
        ("Programs devices and chips", "Low-level hardware programmer", "Device software builder"),
        (
            "I write low-level software for devices with tight memory budgets.",
            "Brought up new boards and wrote drivers for sensors.",
            "Debug with oscilloscopes and logic analysers when things get weird.",
        ),
    ),
)
