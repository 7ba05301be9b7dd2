"""The vocabulary's half of the label catalogue (`pathway.labels`): form fields as the forms
label them, agents, procedures, vaccinations and the phenotype's values (CLINICAL_SPEC §11).

A field's label is the one its form shows, so a refusal names the field as the person saw it
("FVC % predicted (fvc_pct): 500.0 is not allowed").
"""

__all__ = ["AGENTS", "FIELDS", "PROCEDURES", "VACCINATIONS", "VALUES"]

FIELDS = {
    # PFT, CMV, laboratory, SpO2 and six-minute walk forms
    "fvc_pct": "FVC % predicted",
    "dlco_pct": "DLCO % predicted",
    "dlco_corrected_pct": "DLCO % predicted, Hb-corrected",
    "fvc_l": "FVC in litres",
    "iu_per_ml": "CMV DNA, IU/mL",
    "copies_per_ml": "CMV DNA, copies/mL",
    "comparator": "Reported beyond a limit",
    "ferritin": "Ferritin, ng/mL",
    "kl6": "KL-6, U/mL",
    "ck": "Creatine kinase, U/L",
    "crp": "CRP, mg/L",
    "spo2": "SpO2 at rest, %",
    "metres": "Distance, m",
    "nadir_spo2": "Lowest SpO2 during the walk, %",
    "finding": "Finding",
    "extensive_ggo": "Extensive ground-glass opacities",
    "oxygen": "Oxygen requirement",
    # therapy, procedure and vaccination forms
    "action": "Action",
    "agent": "Agent",
    "route": "Route",
    "dose": "Dose",
    "dose_mg_per_day": "Dose, mg/day",
    "unit": "Unit",
    "every": "Given",
    "procedure": "Procedure",
    "vaccination": "Vaccine",
    "on": "Clinical date",
    # the trigger form
    "trigger": "Trigger",
    "reason": "Reason",
    "outcome": "Outcome of the referral",
    "closing_reason": "Closing reason",
    # acknowledgement and task actions
    "justification": "Justification",
    "due": "New due date",
    "assignee": "Assign to",
    # the worklist's window (the tasks page)
    "from": "Due from",
    "to": "Due until",
    # enrolment and amendment
    "id": "Patient id",
    "sex": "Sex",
    "birth_date": "Birth date",
    "enrolled_on": "Enrolment date",
    "diagnosis": "Diagnosis",
    "anti_mda5": "Anti-MDA5",
    "anti_ars": "Anti-ARS (Jo-1, PL-7, …)",
    "ild_course": "ILD course at presentation",
    "risk_factors": "Risk factors",
    "weight_kg": "Weight (kg)",
    "height_cm": "Height (cm)",
    "field": "Field",
    # accounts
    "username": "Username",
    "password": "Password",
    "role": "Role",
    # reminders (one's own account page)
    "delivery": "How reminders reach you",
    "hour": "Digest at",
    "timezone": "Time zone",
}

AGENTS = {
    "methylprednisolone": "Methylprednisolone",
    "prednisone": "Prednisone",
    "prednisolone": "Prednisolone",
    "tacrolimus": "Tacrolimus",
    "cyclosporine": "Cyclosporine",
    "mycophenolate_mofetil": "Mycophenolate mofetil",
    "azathioprine": "Azathioprine",
    "methotrexate": "Methotrexate",
    "leflunomide": "Leflunomide",
    "cyclophosphamide": "Cyclophosphamide",
    "rituximab": "Rituximab",
    "ivig": "IVIG",
    "tofacitinib": "Tofacitinib",
    "baricitinib": "Baricitinib",
    "upadacitinib": "Upadacitinib",
    "ruxolitinib": "Ruxolitinib",
    "infliximab": "Infliximab",
    "adalimumab": "Adalimumab",
    "etanercept": "Etanercept",
    "certolizumab": "Certolizumab",
    "golimumab": "Golimumab",
    "abatacept": "Abatacept",
    "tocilizumab": "Tocilizumab",
    "nintedanib": "Nintedanib",
    "pirfenidone": "Pirfenidone",
    "tmp_smx": "Trimethoprim-sulfamethoxazole",
    "atovaquone": "Atovaquone",
    "dapsone": "Dapsone",
    "pentamidine": "Pentamidine",
    "calcium": "Calcium",
    "vitamin_d": "Vitamin D",
    "alendronate": "Alendronate",
    "risedronate": "Risedronate",
    "zoledronic_acid": "Zoledronic acid",
}

PROCEDURES = {
    "plasma_exchange": "Plasma exchange",
    "pulmonary_rehabilitation": "Pulmonary rehabilitation",
}

VACCINATIONS = {
    "influenza": "Influenza",
    "pneumococcal": "Pneumococcal",
    "covid19": "COVID-19",
}

VALUES = {
    # diagnoses
    "polymyositis": "Polymyositis",
    "dermatomyositis": "Dermatomyositis",
    "clinically_amyopathic_dm": "Clinically amyopathic dermatomyositis",
    "antisynthetase_syndrome": "Antisynthetase syndrome",
    "other_iim": "Other inflammatory myopathy",
    # antibody statuses
    "positive": "Positive",
    "negative": "Negative",
    "pending": "Pending",
    "unknown": "Unknown",
    # ILD courses
    "non_progressive": "Non-progressive",
    "progressive": "Progressive",
    "rapidly_progressive": "Rapidly progressive",
    # oxygen requirements
    "none": "None",
    "low_flow": "Low-flow oxygen",
    "high_flow": "High-flow oxygen",
    "mechanical_ventilation": "Mechanical ventilation",
    "ecmo": "ECMO",
    # phenotype flags
    "extensive_ggo": "Extensive ground-glass opacities",
    "bal_neutrophilia": "BAL neutrophilia",
    "low_vital_capacity": "Low vital capacity",
    "active_myositis": "Active myositis",
    "respiratory_muscle_weakness": "Respiratory muscle weakness",
    "osteoporosis": "Osteoporosis",
    # closing reasons and referral outcomes
    "deceased": "Deceased",
    "transferred": "Transferred",
    "transplanted": "Transplanted",
    "lost_to_follow_up": "Lost to follow-up",
    "declined": "Declined",
    "not_eligible": "Not eligible",
    "listed_continue_treatment": "Listed, treatment continues",
    # routes
    "iv": "IV",
    "oral": "Oral",
    "sc": "Subcutaneous",
    "im": "Intramuscular",
    "inhaled": "Inhaled",
    # sexes
    "female": "Female",
    "male": "Male",
    "other": "Other",
}
