Attribute VB_Name = "ClaimcheckButtons"
'claimcheck buttons for classic desktop Excel. Needs the xlwings VBA module (RunPython) and the
'claimcheck package installed in the Python that xlwings uses (see addin/INSTALL.md).
'Form buttons: assign the macro ValidateClaims, FlagAuthorizations, GenerateAppeals or
'NewClaimsWorkbook. Ribbon (customUI onAction): the ...Ribbon callbacks below.
Option Explicit

Sub ValidateClaims()
    RunPython "import claimcheck.addin.classic as c; c.validate_claims()"
End Sub

Sub FlagAuthorizations()
    RunPython "import claimcheck.addin.classic as c; c.flag_authorizations()"
End Sub

Sub GenerateAppeals()
    RunPython "import claimcheck.addin.classic as c; c.generate_appeals()"
End Sub

Sub NewClaimsWorkbook()
    RunPython "import claimcheck.addin.classic as c; c.new_claims_workbook()"
End Sub

Sub ValidateClaimsRibbon(control As IRibbonControl)
    ValidateClaims
End Sub

Sub FlagAuthorizationsRibbon(control As IRibbonControl)
    FlagAuthorizations
End Sub

Sub GenerateAppealsRibbon(control As IRibbonControl)
    GenerateAppeals
End Sub

Sub NewClaimsWorkbookRibbon(control As IRibbonControl)
    NewClaimsWorkbook
End Sub
