Attribute VB_Name = "ClaimcheckButtons"
'claimcheck buttons for classic desktop Excel. Needs the xlwings VBA module (RunPython) and the
'claimcheck package installed in the Python that xlwings uses (see addin/INSTALL.md).
'Form buttons: assign the macro ValidateClaims, FlagAuthorizations, GenerateAppeals, PostEra or
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

Sub PostEra()
    RunPython "import claimcheck.addin.classic as c; c.post_era()"
End Sub

'Post ERA's file picker, called back from Python (claimcheck.addin.classic.pick_era_files):
'the chosen 835 files' paths, one per line; empty when the dialog is cancelled.
Function PickEraFiles() As String
    Dim chosen As Variant, i As Long, paths As String
    chosen = Application.GetOpenFilename("835 remittances (*.835;*.txt;*.edi;*.x12;*.era),*.835;*.txt;*.edi;*.x12;*.era,All files (*.*),*.*", 1, "Post ERA: choose the 835 remittance files", , True)
    If Not IsArray(chosen) Then Exit Function
    For i = LBound(chosen) To UBound(chosen)
        If Len(paths) > 0 Then paths = paths & vbLf
        paths = paths & chosen(i)
    Next i
    PickEraFiles = paths
End Function

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

Sub PostEraRibbon(control As IRibbonControl)
    PostEra
End Sub

Sub NewClaimsWorkbookRibbon(control As IRibbonControl)
    NewClaimsWorkbook
End Sub
